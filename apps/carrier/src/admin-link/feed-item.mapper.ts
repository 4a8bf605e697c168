import { action, toTimestamp, type admin, type carrier } from '@app/contracts';
import type { Action, Decision } from '@app/domain';
import { toWireEvidence } from '../outbox/flag.mapper';
import type { RuleDemotionPayload } from '../rule-budget/rule-budget-messages';

/**
 * An ADMIN outbox payload for a decision, as DecisionRecorder stores it: the
 * decision, its id and this carrier (times in ms).
 */
export type DecisionPayload = Decision & { id: string; carrier: string };

/** An ADMIN outbox payload for one daily count (DailyCounts). */
export interface DailyCountPayload {
  kind: 'daily_count';
  /** YYYY-MM-DD, China Standard Time. */
  day: string;
  policy: string;
  action: Action;
  reason: string;
  count: number;
}

/** An ADMIN outbox payload for one day's callee warnings under one policy (DailyCounts). */
export interface DailyCalleeWarningsPayload {
  kind: 'daily_callee_warnings';
  /** YYYY-MM-DD, China Standard Time. */
  day: string;
  policy: string;
  count: number;
}

/**
 * An ADMIN outbox message as a SubmitCarrierFeed item: its key is the row's (a
 * resend is a replay on the admin side), its content mapped the same way on
 * every send. Throws on a payload it cannot read, which the relay sets aside.
 */
export function toFeedItem(idempotencyKey: string, payload: unknown): admin.FeedItem {
  const p = payload as Partial<DecisionPayload> &
    Partial<Omit<DailyCountPayload, 'action' | 'kind'>> & {
      kind?: DailyCountPayload['kind'] | 'daily_callee_warnings' | 'rule_demotion';
    };
  if (p.kind === 'rule_demotion')
    return { idempotencyKey, ruleDemotion: toWireDemotion(payload as RuleDemotionPayload) };
  if (p.kind === 'daily_callee_warnings') {
    return {
      idempotencyKey,
      calleeWarnings: { day: text(p.day, 'day'), policy: text(p.policy, 'policy'), count: integer(p.count, 'count') },
    };
  }
  if (p.kind === 'daily_count') {
    return {
      idempotencyKey,
      dailyCount: {
        day: text(p.day, 'day'),
        policy: text(p.policy, 'policy'),
        action: wireAction(p.action),
        reason: text(p.reason, 'reason'),
        count: integer(p.count, 'count'),
      },
    };
  }
  if (p.evidence === undefined || !Array.isArray(p.reasons))
    throw new Error('a decision payload needs evidence and reasons');
  return {
    idempotencyKey,
    decision: {
      decisionId: text(p.id, 'id'),
      msisdn: text(p.msisdn, 'msisdn'),
      action: wireAction(p.action),
      previous: wireAction(p.previous),
      reasons: p.reasons,
      score: finite(p.score, 'score'),
      policy: text(p.policy, 'policy'),
      at: toTimestamp(new Date(integer(p.at, 'at'))),
      evidence: toWireEvidence(p.evidence, p.reasons),
    },
  };
}

function toWireDemotion(p: Partial<RuleDemotionPayload>): admin.RuleDemotion {
  const reenabled = p.reenabledAt !== undefined;
  return {
    policy: text(p.policy, 'policy'),
    reason: text(p.reason, 'reason'),
    demotedAt: toTimestamp(new Date(integer(p.demotedAt, 'demotedAt'))),
    mistakes: integer(p.mistakes, 'mistakes'),
    actions: integer(p.actions, 'actions'),
    windowDays: finite(p.windowDays, 'windowDays'),
    reenabledAt: reenabled ? toTimestamp(new Date(integer(p.reenabledAt, 'reenabledAt'))) : undefined,
    reenabledBy: reenabled ? text(p.reenabledBy, 'reenabledBy') : '',
    why: reenabled ? text(p.why, 'why') : '',
  };
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${field} is missing`);
  return value;
}

function finite(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`${field} is not a number`);
  return value;
}

function integer(value: unknown, field: string): number {
  const n = finite(value, field);
  if (!Number.isInteger(n)) throw new Error(`${field} is not a whole number`);
  return n;
}

function wireAction(value: unknown): carrier.Action {
  const wire = typeof value === 'string' ? action.toWire(value as Action) : action.unspecified;
  if (wire === action.unspecified) throw new Error(`${String(value)} is not an action`);
  return wire;
}
