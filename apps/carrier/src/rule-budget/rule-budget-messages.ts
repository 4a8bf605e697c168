import type { RuleDemotion } from '@app/domain';
import type { OutboxMessage } from '../decisions/decisions.repository';
import type { StoredDemotion } from './rule-budget.repository';

/**
 * An ADMIN outbox payload for a demotion of the active policy (error budget per
 * rule), or for its re-enable (`reenabledAt` set): times in ms.
 */
export interface RuleDemotionPayload {
  kind: 'rule_demotion';
  policy: string;
  reason: string;
  demotedAt: number;
  mistakes: number;
  actions: number;
  windowDays: number;
  reenabledAt?: number;
  reenabledBy?: string;
  why?: string;
}

/** The administration hears of a demotion once, whoever sends it: keyed by policy, reason and time. */
export function demotionMessage(carrier: string, d: RuleDemotion): OutboxMessage {
  const payload: RuleDemotionPayload = {
    kind: 'rule_demotion',
    policy: d.policy,
    reason: d.reason,
    demotedAt: d.at,
    mistakes: d.mistakes,
    actions: d.actions,
    windowDays: d.windowDays,
  };
  return {
    destination: 'ADMIN',
    idempotencyKey: `${carrier}-demotion-${d.policy}-${d.reason}-${d.at}`,
    msisdn: null,
    payload,
  };
}

/** The re-enable of a stored demotion, with who and why. */
export function reenableMessage(carrier: string, d: StoredDemotion): OutboxMessage {
  const demotedAt = d.demotedAt.getTime();
  const payload: RuleDemotionPayload = {
    kind: 'rule_demotion',
    policy: d.policy,
    reason: d.reason,
    demotedAt,
    mistakes: d.mistakes,
    actions: d.actions,
    windowDays: d.windowDays,
    ...(d.reenabledAt ? { reenabledAt: d.reenabledAt.getTime() } : {}),
    ...(d.reenabledBy ? { reenabledBy: d.reenabledBy } : {}),
    ...(d.why ? { why: d.why } : {}),
  };
  return {
    destination: 'ADMIN',
    idempotencyKey: `${carrier}-reenable-${d.policy}-${d.reason}-${demotedAt}`,
    msisdn: null,
    payload,
  };
}
