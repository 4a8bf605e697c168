import { action, toTimestamp, type carrier, type common } from '@app/contracts';
import { REASONS, type DecisionEvidence, type ReasonCode } from '@app/domain';
import type { StoredDecision } from './decisions.repository';

/** Between stored decisions and the wire (fraud.carrier.v1): names, enums, plain language and times. */

/** A reason code in plain Chinese and English, with what the subscriber can do about it. */
export function toWireReason(code: ReasonCode): carrier.Reason {
  const text = REASONS[code];
  // A code this build does not know (written by a newer one) is still shown, as is.
  if (!text) return { code, textZh: code, textEn: code, adviceZh: '', adviceEn: '' };
  return { code, textZh: text.zh, textEn: text.en, adviceZh: text.adviceZh, adviceEn: text.adviceEn };
}

export function toWireEvidence(evidence: DecisionEvidence): common.Evidence {
  return {
    summary: evidence.summary,
    windowStart: toTimestamp(new Date(evidence.windowStart)),
    windowEnd: toTimestamp(new Date(evidence.windowEnd)),
    measures: evidence.measures,
    cells: evidence.cells.map((c) => ({ cell: c.cell, at: toTimestamp(new Date(c.at)), activity: c.activity })),
  };
}

export function toWireDecision(decision: StoredDecision): carrier.Decision {
  return {
    id: decision.id,
    at: toTimestamp(decision.at),
    msisdn: decision.msisdn,
    action: action.toWire(decision.action),
    previous: action.toWire(decision.previous),
    reasons: decision.reasons.map(toWireReason),
    score: decision.score,
    policy: decision.policy,
    shadow: decision.shadow,
    evidence: toWireEvidence(decision.evidence),
    termUntil: decision.term ? toTimestamp(new Date(decision.term.until)) : undefined,
    termRenewals: decision.term?.renewals ?? 0,
  };
}
