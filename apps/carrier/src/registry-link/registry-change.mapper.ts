import { fromTimestamp, numberStatus, type registry } from '@app/contracts';
import type { Msisdn } from '@app/domain';
import type { RegistryStatusRow } from './registry-link.repository';

export interface RegistryChange extends RegistryStatusRow {
  msisdn: Msisdn;
  /** When the registry changed the status: the time of any decision it leads to, so a replay decides the same. */
  atMs: number;
}

/** A change from the registry's feed; a change without a status or a time is a broken feed, not something to skip. */
export function fromWireChange(change: registry.StatusChange): RegistryChange {
  const status = numberStatus.tryFromWire(change.status);
  const at = fromTimestamp(change.changedAt, 'changed_at');
  if (status === undefined || at === undefined) {
    throw new Error(
      `registry change ${change.version} of ${change.msisdn} has no ` +
        (status === undefined ? `known status (${change.status})` : 'changed_at'),
    );
  }
  return { msisdn: change.msisdn as Msisdn, status, version: Number(change.version), atMs: at.getTime() };
}

/** The last change of each number in a batch: one row per number for the upsert. */
export function latestPerNumber(changes: readonly RegistryChange[]): RegistryStatusRow[] {
  const latest = new Map<string, RegistryStatusRow>();
  for (const { msisdn, status, version } of changes) latest.set(msisdn, { msisdn, status, version });
  return [...latest.values()];
}
