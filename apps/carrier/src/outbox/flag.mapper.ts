import { toTimestamp, type common, type registry } from '@app/contracts';
import type { DecisionEvidence } from '@app/domain';

/** A REGISTRY outbox payload, as DecisionRecorder stores it (times in ms since the epoch). */
export interface RegistryFlagPayload {
  msisdn: string;
  source: string;
  reasonCodes: string[];
  score: number;
  evidence: DecisionEvidence;
  observedAt: number;
}

const at = (ms: number) => toTimestamp(new Date(ms));

/**
 * An outbox message as a registry flag: its idempotency key is the row's (the
 * same flag sent twice is one flag), its source this carrier (the one the
 * token names). The content is mapped the same way on every send, so a resend
 * is recognised as a replay, never as a key reused with other content.
 */
export function toWireFlag(idempotencyKey: string, payload: RegistryFlagPayload, source: string): registry.Flag {
  return {
    idempotencyKey,
    msisdn: payload.msisdn,
    source,
    reasonCodes: payload.reasonCodes,
    score: payload.score,
    evidence: toWireEvidence(payload.evidence, payload.reasonCodes),
    observedAt: at(payload.observedAt),
  };
}

export function toWireEvidence(evidence: DecisionEvidence, reasonCodes: readonly string[]): common.Evidence {
  return {
    // The registry requires a summary; a decision imposed from outside (a directive) has no measures to sum up.
    summary: evidence.summary.trim() || reasonCodes.join(', '),
    windowStart: at(evidence.windowStart),
    windowEnd: at(evidence.windowEnd),
    measures: evidence.measures.map(({ name, value, threshold }) => ({ name, value, threshold })),
    cells: evidence.cells.map((c) => ({ cell: c.cell, at: at(c.at), activity: c.activity })),
  };
}
