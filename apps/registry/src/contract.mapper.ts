import {
  changeCause,
  fromTimestamp,
  numberStatus,
  toOptionalTimestamp,
  toTimestamp,
  type common,
  type registry,
} from '@app/contracts';
import { ValidationError, ValidationErrorCode, type Evidence, type EvidenceInput, type FlagInput } from '@app/domain';
import type { StatusChange } from './numbers/numbers.repository';

/** Between the wire (fraud.registry.v1) and the domain: names and times (the enums' codecs are in libs/contracts). */

function fromWireEvidence(evidence: common.Evidence | undefined, field: string): EvidenceInput | undefined {
  if (!evidence) return undefined;
  return {
    summary: evidence.summary,
    windowStart: fromTimestamp(evidence.windowStart, `${field}.window_start`),
    windowEnd: fromTimestamp(evidence.windowEnd, `${field}.window_end`),
    measures: evidence.measures ?? [],
    cells: (evidence.cells ?? []).map((c, i) => ({
      cell: c.cell,
      activity: c.activity,
      at: fromTimestamp(c.at, `${field}.cells[${i}].at`),
    })),
  };
}

export function fromWireFlags(request: registry.SubmitFlagsRequest): FlagInput[] {
  if (!Array.isArray(request.flags))
    throw new ValidationError(ValidationErrorCode.Required, 'flags', 'at least one flag is required');
  return request.flags.map((flag, i) => ({
    idempotencyKey: flag.idempotencyKey,
    msisdn: flag.msisdn,
    source: flag.source,
    reasonCodes: flag.reasonCodes ?? [],
    score: flag.score,
    evidence: fromWireEvidence(flag.evidence, `flags[${i}].evidence`),
    observedAt: fromTimestamp(flag.observedAt, `flags[${i}].observed_at`),
  }));
}

export function toWireEvidence(evidence: Evidence): common.Evidence {
  return {
    summary: evidence.summary,
    windowStart: toOptionalTimestamp(evidence.windowStart && new Date(evidence.windowStart)),
    windowEnd: toOptionalTimestamp(evidence.windowEnd && new Date(evidence.windowEnd)),
    measures: evidence.measures,
    cells: evidence.cells.map((c) => ({
      cell: c.cell,
      activity: c.activity,
      at: toOptionalTimestamp(c.at && new Date(c.at)),
    })),
  };
}

export function toWireChange(change: StatusChange): registry.StatusChange {
  return {
    version: change.version,
    msisdn: change.msisdn,
    status: numberStatus.toWire(change.status),
    previousStatus: numberStatus.toWire(change.previousStatus),
    cause: changeCause.toWire(change.cause),
    changedAt: toTimestamp(change.changedAt),
  };
}
