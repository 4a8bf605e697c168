import { caseStatus, toOptionalTimestamp, toTimestamp, type admin } from '@app/contracts';
import type { CaseFile } from './case';

/** A case as fraud.admin.v1 carries it. */
export function toWireCase(c: CaseFile): admin.Case {
  return {
    caseId: c.caseId,
    msisdn: c.msisdn,
    owner: c.owner,
    status: caseStatus.toWire(c.status),
    openedAt: toTimestamp(c.openedAt),
    dueAt: toOptionalTimestamp(c.dueAt),
    events: c.events.map((e) => ({ at: toTimestamp(e.at), actor: e.actor, what: e.what })),
  };
}
