import { fromTimestamp, numberStatus, type registry } from '@app/contracts';

/** A police verdict on a number: what the cases take from the registry. */
export interface RegistryVerdict {
  msisdn: string;
  version: number;
  status: 'CLEARED' | 'CONFIRMED';
  changedAt: Date;
}

/** A CLEARED or CONFIRMED change as a verdict; undefined for other statuses (flags), which cases do not follow. */
export function verdictOf(change: registry.StatusChange): RegistryVerdict | undefined {
  const status = numberStatus.tryFromWire(change.status);
  if (status !== 'CLEARED' && status !== 'CONFIRMED') return undefined;
  const changedAt = fromTimestamp(change.changedAt, 'changed_at');
  // A verdict without a time is a broken feed: stop at it rather than skip it.
  if (!changedAt) throw new Error(`registry change ${change.version} of ${change.msisdn} has no changed_at`);
  return { msisdn: change.msisdn, version: Number(change.version), status, changedAt };
}
