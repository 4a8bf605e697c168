import { action as actions, fromTimestamp, type admin } from '@app/contracts';
import {
  Action,
  normaliseMsisdn,
  validateIdempotencyKey,
  ValidationError,
  ValidationErrorCode,
  type DemotionRecord,
  type Msisdn,
} from '@app/domain';
import { evidenceFromWire, MAX_FUTURE_MS, type StoredEvidence } from './evidence';

/** SubmitCarrierFeed's documented batch maximum. */
export const MAX_FEED_ITEMS = 1000;

export interface FeedDecision {
  decisionId: string;
  msisdn: Msisdn;
  action: Action;
  previous: Action;
  reasons: string[];
  score: number;
  policy: string;
  at: Date;
  evidence: StoredEvidence;
}

export interface FeedCount {
  /** YYYY-MM-DD, China Standard Time. */
  day: string;
  policy: string;
  action: Action;
  reason: string;
  count: number;
}

/** A carrier's callee warnings of one day under one policy. */
export interface FeedCalleeWarnings {
  /** YYYY-MM-DD, China Standard Time. */
  day: string;
  policy: string;
  count: number;
}

/** A reason a carrier's active policy demoted (its error budget spent), or its re-enable (`reenabled` set). */
export type FeedDemotion = Pick<
  DemotionRecord,
  'policy' | 'reason' | 'demotedAt' | 'mistakes' | 'actions' | 'windowDays'
> & { reenabled?: { at: Date; by: string; why: string } };

export type FeedEntry = { idempotencyKey: string } & (
  | { decision: FeedDecision; count?: undefined; calleeWarnings?: undefined; demotion?: undefined }
  | { count: FeedCount; decision?: undefined; calleeWarnings?: undefined; demotion?: undefined }
  | { calleeWarnings: FeedCalleeWarnings; decision?: undefined; count?: undefined; demotion?: undefined }
  | { demotion: FeedDemotion; decision?: undefined; count?: undefined; calleeWarnings?: undefined }
);

const DECISION_ID = /^[\x21-\x7e]{1,64}$/;
const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
/** `name@version`, as the carriers' policy documents are named. */
const POLICY = /^[A-Za-z0-9_.-]{1,54}@\d{1,9}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MAX_REASONS = 16;
const MAX_WHO = 128;
const MAX_WHY = 500;

function invalid(field: string, reason: string, code = ValidationErrorCode.Malformed): ValidationError {
  return new ValidationError(code, field, reason);
}

/** Validates a whole feed: one bad item refuses it, naming `items[i].<field>`. */
export function validateFeed(items: admin.FeedItem[] | undefined, now: Date): FeedEntry[] {
  if (!items || items.length === 0)
    throw invalid('items', 'at least one item is required', ValidationErrorCode.Required);
  if (items.length > MAX_FEED_ITEMS)
    throw invalid(
      'items',
      `at most ${MAX_FEED_ITEMS} items per call, got ${items.length}`,
      ValidationErrorCode.OutOfRange,
    );
  return items.map((item, i) => validateItem(item, `items[${i}].`, now));
}

function validateItem(item: admin.FeedItem, prefix: string, now: Date): FeedEntry {
  const idempotencyKey = validateIdempotencyKey(item.idempotencyKey, `${prefix}idempotency_key`);
  if (item.decision) return { idempotencyKey, decision: validateDecision(item.decision, `${prefix}decision.`, now) };
  if (item.dailyCount) return { idempotencyKey, count: validateCount(item.dailyCount, `${prefix}daily_count.`) };
  if (item.calleeWarnings)
    return {
      idempotencyKey,
      calleeWarnings: validateCalleeWarnings(item.calleeWarnings, `${prefix}callee_warnings.`),
    };
  if (item.ruleDemotion)
    return { idempotencyKey, demotion: validateDemotion(item.ruleDemotion, `${prefix}rule_demotion.`, now) };
  throw invalid(
    `${prefix}kind`,
    'a decision, a daily_count, callee_warnings or a rule_demotion is required',
    ValidationErrorCode.Required,
  );
}

function validateDecision(d: admin.CarrierDecision, prefix: string, now: Date): FeedDecision {
  if (!d.decisionId)
    throw invalid(`${prefix}decision_id`, "the carrier's decision id is required", ValidationErrorCode.Required);
  if (!DECISION_ID.test(d.decisionId))
    throw invalid(`${prefix}decision_id`, 'must be 1 to 64 printable ASCII characters without spaces');
  const msisdn = normaliseMsisdn(d.msisdn, `${prefix}msisdn`);
  const action = validateAction(d.action, `${prefix}action`);
  // proto3 sends no `previous` for a number's first decision: it was on no step.
  const previous = isUnspecified(d.previous) ? Action.None : validateAction(d.previous, `${prefix}previous`);
  const reasons = d.reasons ?? [];
  if (reasons.length === 0)
    throw invalid(`${prefix}reasons`, 'at least one reason code is required', ValidationErrorCode.Required);
  if (reasons.length > MAX_REASONS)
    throw invalid(`${prefix}reasons`, `at most ${MAX_REASONS} reason codes`, ValidationErrorCode.OutOfRange);
  reasons.forEach((code, j) => {
    if (!REASON_CODE.test(code))
      throw invalid(`${prefix}reasons[${j}]`, `"${code.slice(0, 40)}" is not a reason code (UPPER_SNAKE_CASE)`);
  });
  if (!Number.isFinite(d.score) || d.score < 0 || d.score > 1)
    throw invalid(`${prefix}score`, 'must be between 0 and 1', ValidationErrorCode.OutOfRange);
  const policy = validatePolicy(d.policy, `${prefix}policy`);
  const at = fromTimestamp(d.at, `${prefix}at`);
  if (!at) throw invalid(`${prefix}at`, "the decision's event time is required", ValidationErrorCode.Required);
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS)
    throw invalid(`${prefix}at`, 'is in the future', ValidationErrorCode.OutOfRange);
  const evidence = evidenceFromWire(d.evidence, `${prefix}evidence`, now);
  return {
    decisionId: d.decisionId,
    msisdn,
    action,
    previous,
    reasons: [...reasons],
    score: d.score,
    policy,
    at,
    evidence,
  };
}

function validateCount(c: admin.DailyCount, prefix: string): FeedCount {
  const day = validateDay(c.day, `${prefix}day`);
  const policy = validatePolicy(c.policy, `${prefix}policy`);
  const action = validateAction(c.action, `${prefix}action`);
  if (!c.reason) throw invalid(`${prefix}reason`, 'a reason code is required', ValidationErrorCode.Required);
  if (!REASON_CODE.test(c.reason))
    throw invalid(`${prefix}reason`, `"${c.reason.slice(0, 40)}" is not a reason code (UPPER_SNAKE_CASE)`);
  return { day, policy, action, reason: c.reason, count: validateCount0(c.count, `${prefix}count`) };
}

function validateCalleeWarnings(c: admin.DailyCalleeWarnings, prefix: string): FeedCalleeWarnings {
  const day = validateDay(c.day, `${prefix}day`);
  const policy = validatePolicy(c.policy, `${prefix}policy`);
  return { day, policy, count: validateCount0(c.count, `${prefix}count`) };
}

function validateCount0(count: number, field: string): number {
  if (!Number.isSafeInteger(count) || count < 0)
    throw invalid(field, 'must be a whole number, 0 or more', ValidationErrorCode.OutOfRange);
  return count;
}

function validateDemotion(d: admin.RuleDemotion, prefix: string, now: Date): FeedDemotion {
  const policy = validatePolicy(d.policy, `${prefix}policy`);
  if (!d.reason) throw invalid(`${prefix}reason`, 'the demoted reason code is required', ValidationErrorCode.Required);
  if (!REASON_CODE.test(d.reason))
    throw invalid(`${prefix}reason`, `"${d.reason.slice(0, 40)}" is not a reason code (UPPER_SNAKE_CASE)`);
  const demotedAt = pastTime(d.demotedAt, `${prefix}demoted_at`, now, 'when it was demoted');
  for (const field of ['mistakes', 'actions'] as const)
    if (!Number.isSafeInteger(d[field]) || d[field] < 0)
      throw invalid(`${prefix}${field}`, 'must be a whole number, 0 or more', ValidationErrorCode.OutOfRange);
  if (!Number.isFinite(d.windowDays) || d.windowDays <= 0)
    throw invalid(`${prefix}window_days`, 'must be a number of days > 0', ValidationErrorCode.OutOfRange);
  const demotion = { policy, reason: d.reason, demotedAt, mistakes: d.mistakes, actions: d.actions };
  if (!d.reenabledAt) return { ...demotion, windowDays: d.windowDays };
  const at = pastTime(d.reenabledAt, `${prefix}reenabled_at`, now, 'when it was re-enabled');
  const by = boundedText(d.reenabledBy, `${prefix}reenabled_by`, MAX_WHO);
  const why = boundedText(d.why, `${prefix}why`, MAX_WHY);
  return { ...demotion, windowDays: d.windowDays, reenabled: { at, by, why } };
}

function pastTime(ts: admin.RuleDemotion['demotedAt'], field: string, now: Date, what: string): Date {
  const at = fromTimestamp(ts, field);
  if (!at) throw invalid(field, `${what} is required`, ValidationErrorCode.Required);
  if (at.getTime() > now.getTime() + MAX_FUTURE_MS)
    throw invalid(field, 'is in the future', ValidationErrorCode.OutOfRange);
  return at;
}

function boundedText(text: string | undefined, field: string, max: number): string {
  const trimmed = (text ?? '').trim();
  if (!trimmed) throw invalid(field, 'is required with reenabled_at', ValidationErrorCode.Required);
  if (trimmed.length > max) throw invalid(field, `at most ${max} characters`, ValidationErrorCode.OutOfRange);
  return trimmed;
}

function isUnspecified(action: admin.CarrierDecision['action'] | undefined): boolean {
  return actions.name(action) === undefined || (action as string) === '';
}

function validateAction(wire: admin.CarrierDecision['action'] | undefined, field: string): Action {
  if (isUnspecified(wire)) throw invalid(field, 'an action is required', ValidationErrorCode.Required);
  const action = actions.tryFromWire(wire);
  if (!action) throw invalid(field, `"${String(wire).slice(0, 40)}" is not an action`);
  return action;
}

function validatePolicy(policy: string | undefined, field: string): string {
  if (!policy) throw invalid(field, 'the policy (name@version) is required', ValidationErrorCode.Required);
  if (!POLICY.test(policy)) throw invalid(field, `"${policy.slice(0, 64)}" is not name@version, e.g. default@5`);
  return policy;
}

function validateDay(day: string | undefined, field: string): string {
  if (!day) throw invalid(field, 'a day (YYYY-MM-DD) is required', ValidationErrorCode.Required);
  const match = DAY.exec(day);
  const date = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!date || date.toISOString().slice(0, 10) !== day)
    throw invalid(field, `"${day.slice(0, 16)}" is not a day: use YYYY-MM-DD`);
  return day;
}
