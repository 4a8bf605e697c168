import { carrier } from '@app/contracts';
import type { StoredReactivationOutcome } from './reactivation.repository';

const OUTCOMES: Record<StoredReactivationOutcome, carrier.ReactivationOutcome> = {
  RESTORED: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_RESTORED,
  NOT_SUSPENDED: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_NOT_SUSPENDED,
  ID_NOT_VERIFIED: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_ID_NOT_VERIFIED,
  REFERRED_TO_POLICE: carrier.ReactivationOutcome.REACTIVATION_OUTCOME_REFERRED_TO_POLICE,
};

export function toWireOutcome(outcome: StoredReactivationOutcome): carrier.ReactivationOutcome {
  return OUTCOMES[outcome];
}
