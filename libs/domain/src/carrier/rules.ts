import type { ErrorBudgetRules } from './error-budget';
import { Action, ladderLevel, type PolicyDocument } from './policy';
import {
  fastObject,
  MEASURED_SIGNALS,
  THRESHOLD_SCHEMA,
  WEIGHED,
  type ResolvedPolicyThresholds,
  type ThresholdSpec,
} from './signals';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The tunables of the rules that are not a signal's, with the values they had
 * before they were in the policy document: a document without them means what
 * it always meant.
 */
export const RULE_DEFAULTS = Object.freeze({
  /** gates.honestPattern: calls mostly answered (`answerRate` of at least `minCalls`) and called back. */
  honestPattern: Object.freeze({ minCalls: 5, answerRate: 0.6, callbackShare: 0.1, callbackWithinHours: 24 }),
  /** gates.meaningfulContribution: a reason weighing less is not evidence for the gates. */
  meaningfulContribution: 0.05,
  /** ladder.quietResetDays: MONITOR and WARN lapse after this long without a new decision. */
  quietResetDays: 7,
  /** ladder.foreignReportEveryHours: a foreign number is reported to the administration at most this often. */
  foreignReportEveryHours: 24,
  /** terms.maxRenewals: how often new evidence may renew a term, when the policy sets terms. */
  maxRenewals: 3,
  /** humanReview.tenureDays: how long a real-name number must be held for a person to review its suspension. */
  reviewTenureDays: 365,
  /**
   * essentials: the numbers CheckCall always allows. Emergency (110 police, 119 fire, 120 ambulance,
   * 122 traffic, 12110 police by text), 96110 anti-fraud, 12381 fraud-warning, 12321 spam reports,
   * and the carriers' customer service (10086 CMCC, 10010 CUCC, 10000 CTCC, 10099 CBN).
   */
  essentials: Object.freeze([
    '110',
    '119',
    '120',
    '122',
    '12110',
    '96110',
    '12381',
    '12321',
    '10086',
    '10010',
    '10000',
    '10099',
  ]),
  /**
   * calleeProtection, when the policy has the section: from WARN, callees warned, at most once a day; evidence acts
   * at once (labelFirst off: default@3 and its copies keep their meaning).
   */
  calleeProtection: Object.freeze({ fromStep: Action.Warn, warnCallee: true, warnEveryHours: 24, labelFirst: false }),
  /** errorBudget, when the section is present: a reason with 3 mistakes in 30 days, 5 % of its steps, is demoted. */
  errorBudget: Object.freeze({ windowDays: 30, minMistakes: 3, share: 0.05 }),
});

/** calleeProtection resolved: the step as a ladder level (policy.ts LADDER), the period in ms. */
export interface CalleeProtectionRules {
  readonly fromStep: Action;
  readonly fromLevel: number;
  readonly warnCallee: boolean;
  readonly warnEveryMs: number;
  readonly labelFirst: boolean;
}

/**
 * A policy document with every absent optional field resolved to its default,
 * in the forms the engine uses (ms, s, an array of weights): computed once per
 * policy, so the hot path reads plain numbers.
 */
export interface Rules {
  readonly policy: PolicyDocument;
  readonly thresholds: ResolvedPolicyThresholds;
  /** Each weighed signal's weight (by its index in SIGNALS); 0 when the policy gives none. */
  readonly weights: Float64Array;
  /**
   * The signals an assessment under this policy reads (those it weighs): the
   * engine measures only these before assessing; explanations measure all.
   */
  readonly assessed: Int32Array;
  /** Each measured signal's evidence windows (seconds), by measure name. */
  readonly windows: readonly Readonly<Record<string, number>>[];
  /** Undefined when the policy does not discount honest patterns. */
  readonly honestPattern: { readonly minCalls: number; readonly answerRate: number; readonly callbackShare: number };
  readonly honestPatternDiscount: boolean;
  readonly callbackWindowSec: number;
  readonly dwellGapSec: number;
  readonly meaningfulContribution: number;
  readonly quietResetMs: number;
  readonly foreignReportEveryMs: number;
  readonly reportAttackEveryMs: number;
  /** How long a RESTRICT stands without new evidence; Infinity: until a restore (no `terms.restrictHours`). */
  readonly restrictTermMs: number;
  /** The same for a SUSPEND (`terms.suspendDays`). */
  readonly suspendTermMs: number;
  /** How many times new evidence may renew a term. */
  readonly maxRenewals: number;
  /** The service numbers CheckCall always allows, as dialled (policy.essentials or the defaults). */
  readonly essentials: ReadonlySet<string>;
  /** A real-name number held this long goes to a person before a suspension (humanReview); Infinity: never. */
  readonly reviewTenureMs: number;
  /** Undefined when the policy has no calleeProtection section: no call labelled, no callee warned. */
  readonly calleeProtection: CalleeProtectionRules | undefined;
  /** The error budget of each reason; undefined: the policy has none (no reason is ever demoted). */
  readonly errorBudget: ErrorBudgetRules | undefined;
}

const resolved = new WeakMap<PolicyDocument, Rules>();

/** The rules of a policy document (resolved once per document object). */
export function rulesOf(policy: PolicyDocument): Rules {
  let rules = resolved.get(policy);
  if (!rules) {
    rules = resolve(policy);
    resolved.set(policy, rules);
  }
  return rules;
}

function resolveThreshold(spec: ThresholdSpec, value: unknown): unknown {
  if (spec.type === 'number') return value === undefined ? spec.fallback : value;
  if (spec.type === 'prefixes') return value;
  if (value === undefined && !spec.optional) return value;
  const given = (value ?? {}) as Record<string, unknown>;
  const group: Record<string, unknown> = { ...given };
  for (const [name, field] of Object.entries(spec.fields))
    if (group[name] === undefined && field.fallback !== undefined) group[name] = field.fallback;
  return group;
}

function resolve(policy: PolicyDocument): Rules {
  const given = policy.thresholds as unknown as Record<string, unknown>;
  const thresholds: Record<string, unknown> = { ...given };
  for (const [name, spec] of Object.entries(THRESHOLD_SCHEMA)) {
    const value = resolveThreshold(spec, given[name]);
    if (value !== undefined) thresholds[name] = value;
  }
  const t = fastObject<ResolvedPolicyThresholds>(Object.entries(thresholds));
  const weights = new Float64Array(WEIGHED);
  for (let s = 0; s < WEIGHED; s++) weights[s] = policy.weights[MEASURED_SIGNALS[s].code] ?? 0;
  const windows = MEASURED_SIGNALS.map((signal) =>
    Object.fromEntries(
      Object.entries(signal.windows).map(([measure, window]) => [
        measure,
        typeof window === 'number' ? window : window(t),
      ]),
    ),
  );
  const honest = { ...RULE_DEFAULTS.honestPattern, ...policy.gates.honestPattern };
  return {
    policy,
    thresholds: t,
    weights,
    assessed: Int32Array.from(weights.keys()).filter((s) => weights[s] > 0),
    windows,
    honestPattern: { minCalls: honest.minCalls, answerRate: honest.answerRate, callbackShare: honest.callbackShare },
    honestPatternDiscount: policy.gates.honestPatternDiscount,
    callbackWindowSec: honest.callbackWithinHours * 3600,
    dwellGapSec: t.highRiskActivity.dwellGapMin * 60,
    meaningfulContribution: policy.gates.meaningfulContribution ?? RULE_DEFAULTS.meaningfulContribution,
    quietResetMs: (policy.ladder.quietResetDays ?? RULE_DEFAULTS.quietResetDays) * DAY_MS,
    foreignReportEveryMs: (policy.ladder.foreignReportEveryHours ?? RULE_DEFAULTS.foreignReportEveryHours) * HOUR_MS,
    reportAttackEveryMs: t.reportAttackEveryHours * HOUR_MS,
    restrictTermMs: (policy.terms?.restrictHours ?? Number.POSITIVE_INFINITY) * HOUR_MS,
    suspendTermMs: (policy.terms?.suspendDays ?? Number.POSITIVE_INFINITY) * DAY_MS,
    maxRenewals: policy.terms?.maxRenewals ?? RULE_DEFAULTS.maxRenewals,
    essentials: new Set(policy.essentials ?? RULE_DEFAULTS.essentials),
    reviewTenureMs: policy.humanReview
      ? (policy.humanReview.tenureDays ?? RULE_DEFAULTS.reviewTenureDays) * DAY_MS
      : Number.POSITIVE_INFINITY,
    calleeProtection: resolveCalleeProtection(policy),
    errorBudget: policy.errorBudget && errorBudgetOf({ ...RULE_DEFAULTS.errorBudget, ...policy.errorBudget }),
  };
}

function resolveCalleeProtection(policy: PolicyDocument): CalleeProtectionRules | undefined {
  if (policy.calleeProtection === undefined) return undefined;
  const given = policy.calleeProtection;
  const defaults = RULE_DEFAULTS.calleeProtection;
  const fromStep = given.fromStep ?? defaults.fromStep;
  return Object.freeze({
    fromStep,
    fromLevel: ladderLevel(fromStep),
    warnCallee: given.warnCallee ?? defaults.warnCallee,
    warnEveryMs: (given.warnEveryHours ?? defaults.warnEveryHours) * HOUR_MS,
    labelFirst: given.labelFirst ?? defaults.labelFirst,
  });
}

function errorBudgetOf(budget: { windowDays: number; minMistakes: number; share: number }): ErrorBudgetRules {
  return { ...budget, windowMs: budget.windowDays * DAY_MS };
}
