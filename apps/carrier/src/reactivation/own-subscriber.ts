import type { EngineView, Msisdn } from '@app/domain';
import { ReactivationError } from './reactivation.errors';

/**
 * Re-activations and appeals are for this carrier's own subscribers: a number
 * missing from the directory is NOT_FOUND (a typo must not leave a record).
 */
export function ownSubscriber(engine: EngineView, msisdn: Msisdn): void {
  if (!engine.subscriberOf(msisdn))
    throw new ReactivationError('NOT_SUBSCRIBER', 'is not a subscriber of this carrier', 'msisdn');
}
