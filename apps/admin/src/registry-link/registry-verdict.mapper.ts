import { common, fromTimestamp, type registry } from '@app/contracts';

/** A police verdict on a number: what the cases take from the registry. */
export interface RegistryVerdict {
  msisdn: string;
  version: number;
  status: 'CLEARED' | 'CONFIRMED';
  changedAt: Date;
}

const VERDICTS: Partial<Record<common.NumberStatus, RegistryVerdict['status']>> = {
  [common.NumberStatus.NUMBER_STATUS_CLEARED]: 'CLEARED',
  [common.NumberStatus.NUMBER_STATUS_CONFIRMED]: 'CONFIRMED',
};

/** A CLEARED or CONFIRMED change as a verdict; undefined for other statuses (flags), which cases do not follow. */
export function verdictOf(change: registry.StatusChange): RegistryVerdict | undefined {
  const status = VERDICTS[change.status];
  if (status === undefined) return undefined;
  const changedAt = fromTimestamp(change.changedAt, 'changed_at');
  // A verdict without a time is a broken feed: stop at it rather than skip it.
  if (!changedAt) throw new Error(`registry change ${change.version} of ${change.msisdn} has no changed_at`);
  return { msisdn: change.msisdn, version: Number(change.version), status, changedAt };
}
