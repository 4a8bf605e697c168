/**
 * The signals, in the order they are weighed (a score is a product over them,
 * so the order is part of the result: add a new signal at the end). Reason
 * codes, their texts, the features, the evidence windows, the counters a
 * number keeps and the policy's thresholds are all derived from these lists.
 */
import { BASE_COUNTERS } from '../activity-store';
import { callBurst } from './call-burst';
import { corroboratedReports } from './corroborated-reports';
import { highRiskCellActivity } from './high-risk-cell-activity';
import { highRiskCellPresence } from './high-risk-cell-presence';
import { lowAnswerRate } from './low-answer-rate';
import { manyNewContactsDay } from './new-contacts-24h';
import { manyNewContacts } from './new-contacts-90m';
import { newNumber } from './new-number';
import { newSegment } from './new-segment';
import { nightCallsToStrangers } from './night-calls-to-strangers';
import { oneRingCalls } from './one-ring';
import { OUTCOME_REASONS } from './outcomes';
import { registryConfirmed } from './registry-confirmed';
import { registrySuspected } from './registry-suspected';
import { reportAttack } from './report-attack';
import { sequentialDialling } from './sequential-dialling';
import type {
  Assessor,
  BaseFeatures,
  Memory,
  ReasonText,
  RecordedActivity,
  ResolvedThresholds,
  ThresholdSpec,
  ThresholdValues,
} from './signal';
import { shortCalls } from './short-calls';
import { smsBurst } from './sms-burst';
import { uncorroboratedReports } from './uncorroborated-reports';
import { unreturnedCalls } from './unreturned-calls';

/** The signals weighed into a number's score. */
export const SIGNALS = [
  callBurst,
  manyNewContacts,
  manyNewContactsDay,
  lowAnswerRate,
  shortCalls,
  oneRingCalls,
  sequentialDialling,
  smsBurst,
  newNumber,
  newSegment,
  highRiskCellActivity,
  highRiskCellPresence,
  corroboratedReports,
  uncorroboratedReports,
  registrySuspected,
  registryConfirmed,
  nightCallsToStrangers,
  unreturnedCalls,
] as const;

/** Everything measured: the weighed signals, then the outcomes with a measure of their own. */
export const MEASURED = [...SIGNALS, reportAttack] as const;

type Measured = (typeof MEASURED)[number];
type Reason = Measured | (typeof OUTCOME_REASONS)[number];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Simplify<T> = { [K in keyof T]: T[K] } & {};
type SchemaOf<S> = S extends { readonly thresholds: infer T } ? T : never;
type FeaturesOf<S> = S extends { readonly features: infer F } ? F : never;

/** Every reason code, by name (`ReasonCode.CallBurst` is `'CALL_BURST'`). */
export type ReasonCode = Reason['code'];
export const ReasonCode = Object.freeze(
  Object.fromEntries([...MEASURED, ...OUTCOME_REASONS].map((r) => [r.key, r.code])),
) as { readonly [R in Reason as R['key']]: R['code'] };

/** Each reason's texts, in the order of the lists. */
export const REASONS = Object.freeze(
  Object.fromEntries([...MEASURED, ...OUTCOME_REASONS].map((r) => [r.code, r.text])),
) as Readonly<Record<ReasonCode, ReasonText>>;

/** The policy's thresholds, as a document holds them: each signal's part. */
export type PolicyThresholds = Simplify<UnionToIntersection<ThresholdValues<SchemaOf<Measured>>>>;
/** The thresholds with every absent optional threshold that has a fallback filled in. */
export type ResolvedPolicyThresholds = Simplify<UnionToIntersection<ResolvedThresholds<SchemaOf<Measured>>>>;

/** What is known of one number at one instant, measured against one policy's thresholds. */
export type Features = Simplify<BaseFeatures & UnionToIntersection<FeaturesOf<Measured>>>;

/** Each threshold's schema, by its name in `policy.thresholds`, in the order of the lists. */
export const THRESHOLD_SCHEMA: Readonly<Record<string, ThresholdSpec>> = Object.freeze(
  Object.fromEntries(MEASURED.flatMap((s) => Object.entries(s.thresholds as Record<string, ThresholdSpec>))),
);

/** A measured signal as the engine handles it, whatever its own types. */
export interface AnySignal {
  readonly key: string;
  readonly code: ReasonCode;
  readonly text: ReasonText;
  readonly weak?: boolean;
  readonly volume?: boolean;
  readonly countsAsKind?: boolean;
  readonly suspendsAlone?: boolean;
  readonly thresholds: Readonly<Record<string, ThresholdSpec>>;
  readonly windows: Readonly<Record<string, number | ((t: ResolvedPolicyThresholds) => number)>>;
  readonly features: Readonly<Record<string, unknown>>;
  record?(activity: RecordedActivity, t: ResolvedPolicyThresholds): boolean;
  measure?(memory: Memory, t: ResolvedPolicyThresholds, f: Features): void;
  assess?(f: Features, t: ResolvedPolicyThresholds, a: Assessor): void;
}
export const MEASURED_SIGNALS = MEASURED as readonly unknown[] as readonly AnySignal[];

type Measure = (memory: Memory, t: ResolvedPolicyThresholds, f: Features) => void;
type Assess = (f: Features, t: ResolvedPolicyThresholds, a: Assessor) => void;
const nothing = () => undefined;
/**
 * Each measured signal's measure and assess as plain arrays of functions (by
 * index in MEASURED_SIGNALS): the hot path calls them in a loop, and reading
 * them off signal objects of a dozen different shapes would be slower.
 */
export const MEASURES: readonly Measure[] = MEASURED_SIGNALS.map((s) => s.measure ?? nothing);
export const ASSESSES: readonly Assess[] = MEASURED_SIGNALS.map((s) => s.assess ?? nothing);
/** How many of MEASURED_SIGNALS are weighed (SIGNALS come first). */
export const WEIGHED = SIGNALS.length;

/**
 * The window counter each measured signal keeps (by its index in MEASURED), -1
 * for none: they follow the counters every number keeps (calls, texts, ...).
 */
export const COUNTER_OF: Int32Array = Int32Array.from(
  (() => {
    let next = BASE_COUNTERS;
    return MEASURED_SIGNALS.map((s) => (s.record ? next++ : -1));
  })(),
);
/** Window counters per time bucket of a number. */
export const COUNTERS = BASE_COUNTERS + COUNTER_OF.filter((c) => c >= 0).length;

// A name used twice would silently merge two signals: refuse to load instead.
function unique(what: string, names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new Error(`signals: ${what} ${name} is declared twice`);
    seen.add(name);
  }
}
unique(
  'reason code',
  [...MEASURED, ...OUTCOME_REASONS].map((r) => r.code),
);
unique(
  'reason key',
  [...MEASURED, ...OUTCOME_REASONS].map((r) => r.key),
);
unique(
  'threshold',
  MEASURED.flatMap((s) => Object.keys(s.thresholds)),
);
unique(
  'feature',
  MEASURED.flatMap((s) => Object.keys(s.features)),
);
unique(
  'measure',
  MEASURED.flatMap((s) => Object.keys(s.windows)),
);

export { OUTCOME_REASONS };
export { reportAttack, underReportAttack } from './report-attack';
export * from './signal';
