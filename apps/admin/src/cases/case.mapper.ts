import { admin, toOptionalTimestamp, toTimestamp } from '@app/contracts';
import type { CaseFile } from './case';

/** A case as fraud.admin.v1 carries it. */
export function toWireCase(c: CaseFile): admin.Case {
  return {
    caseId: c.caseId,
    msisdn: c.msisdn,
    owner: c.owner,
    status: `CASE_STATUS_${c.status}` as admin.CaseStatus,
    openedAt: toTimestamp(c.openedAt),
    dueAt: toOptionalTimestamp(c.dueAt),
    events: c.events.map((e) => ({ at: toTimestamp(e.at), actor: e.actor, what: e.what })),
  };
}

/** The proto's status filter; UNSPECIFIED means all. */
export function fromWireCaseStatus(status: admin.CaseStatus | undefined): string | undefined {
  return status === undefined || status === admin.CaseStatus.CASE_STATUS_UNSPECIFIED ? undefined : String(status);
}
