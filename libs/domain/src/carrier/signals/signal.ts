/**
 * What a signal is: one reason code with its texts, the thresholds it reads
 * from the policy document (with their schema), what it keeps per number, what
 * it measures and how the measure becomes a strength. The engine's tables
 * (reason codes and texts, features, evidence windows, the policy's validation)
 * are derived from the list in `./index.ts`; a new signal is one new file.
 */
import type { ActivityStore } from '../activity-store';
import type { UsageProfile } from '../events';

/** What kind of evidence a signal is: a suspension needs more than one kind. */
export enum SignalKind {
  Behaviour = 'behaviour',
  Reports = 'reports',
  Location = 'location',
  Registry = 'registry',
  Number = 'number',
}

/** A reason's words for the subscriber: what was seen and what they can do about it. */
export interface ReasonText {
  kind: SignalKind | 'outcome';
  zh: string;
  en: string;
  /** What the subscriber can do about it. */
  adviceZh: string;
  adviceEn: string;
}

export type RegistryMark = 'SUSPECTED' | 'CONFIRMED' | 'CLEARED';

/**
 * How a measured value becomes a signal strength in [0, 1]: `step` is 1 from
 * the threshold on (today's rules); `ramp` is 0.5 at the threshold rising to 1
 * at twice the threshold, so evidence far past a threshold weighs more.
 */
export type StrengthCurve = 'step' | 'ramp';

// --- thresholds: the schema of a signal's part of `policy.thresholds` ---------

/**
 * A field of a threshold group: a number ≥ 0, or a switch (`flag`: true or
 * false); optional ones take `fallback` when a document has none.
 */
export interface GroupField {
  readonly optional?: true;
  readonly flag?: true;
  readonly fallback?: number | boolean;
}

export type ThresholdSpec =
  | { readonly type: 'number'; readonly optional?: true; readonly fallback?: number }
  | { readonly type: 'prefixes' }
  | { readonly type: 'group'; readonly optional?: true; readonly fields: Readonly<Record<string, GroupField>> };

export type ThresholdSchema = Readonly<Record<string, ThresholdSpec>>;

/** A number ≥ 0 every policy document states. */
export function required(): { readonly type: 'number' } {
  return { type: 'number' };
}

/**
 * A number ≥ 0 a document may leave out: then `fallback` applies, or, without
 * one, the measure is not used (documents written before the threshold existed).
 */
export function optional(): { readonly type: 'number'; readonly optional: true };
export function optional(fallback: number): { readonly type: 'number'; readonly optional: true; fallback: number };
export function optional(fallback?: number): ThresholdSpec {
  return fallback === undefined ? { type: 'number', optional: true } : { type: 'number', optional: true, fallback };
}

/** A list of 3-digit number prefixes (after +86). */
export function prefixes(): { readonly type: 'prefixes' } {
  return { type: 'prefixes' };
}

/** Several numbers ≥ 0 under one name, e.g. `{ max, minCalls }`. */
export function group<const F extends Readonly<Record<string, GroupField>>>(
  fields: F,
): { readonly type: 'group'; readonly fields: F } {
  return { type: 'group', fields };
}

/** A group a document may leave out: each of its numbers then takes its fallback (see orElse). */
export function optionalGroup<const F extends Readonly<Record<string, GroupField>>>(
  fields: F,
): { readonly type: 'group'; readonly optional: true; readonly fields: F } {
  return { type: 'group', optional: true, fields };
}

/** A group's number every document states. */
export const REQUIRED: GroupField = {};

/** A group's number a document may leave out, `fallback` then applies. */
export function orElse(fallback: number): { readonly optional: true; readonly fallback: number } {
  return { optional: true, fallback };
}

/**
 * A group's switch (true or false) a document may leave out: absent, it is
 * off, so that documents written before it keep their meaning.
 */
export function offUnlessSet(): { readonly optional: true; readonly flag: true; readonly fallback: false } {
  return { optional: true, flag: true, fallback: false };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type IsOptional<S> = S extends { readonly optional: true } ? true : false;
type HasFallback<S> = S extends { readonly fallback: number | boolean }
  ? true
  : S extends { readonly type: 'group' }
    ? true
    : false;

/** A field always present: not optional, or optional with a fallback once the policy is resolved. */
type Present<S, Resolved extends boolean> =
  IsOptional<S> extends true ? (Resolved extends true ? HasFallback<S> : false) : true;
type PresentKeys<F, Resolved extends boolean> = {
  [K in keyof F]: Present<F[K], Resolved> extends true ? K : never;
}[keyof F];

type FieldValue<S> = S extends { readonly flag: true } ? boolean : number;
type GroupValue<F, Resolved extends boolean> = Simplify<
  { -readonly [K in PresentKeys<F, Resolved>]: FieldValue<F[K]> } & {
    -readonly [K in Exclude<keyof F, PresentKeys<F, Resolved>>]?: FieldValue<F[K]>;
  }
>;

type SpecValue<S, Resolved extends boolean> = S extends { readonly type: 'prefixes' }
  ? string[]
  : S extends { readonly type: 'group'; readonly fields: infer F }
    ? GroupValue<F, Resolved>
    : number;

/** The values of a schema as a policy document holds them: optional thresholds may be absent. */
export type ThresholdValues<T, Resolved extends boolean = false> = Simplify<
  {
    -readonly [K in keyof T as Present<T[K], Resolved> extends true ? K : never]: SpecValue<T[K], Resolved>;
  } & {
    -readonly [K in keyof T as Present<T[K], Resolved> extends true ? never : K]?: SpecValue<T[K], Resolved>;
  }
>;

/** The values a signal reads: an absent optional threshold with a fallback holds its fallback. */
export type ResolvedThresholds<T> = ThresholdValues<T, true>;

// --- memory, features and assessment ------------------------------------------

/** A call or text as the engine records it for its caller (one object, reused for every event). */
export interface RecordedActivity {
  atSec: number;
  isSms: boolean;
  answered: boolean;
  durationSec: number;
  /** The peer had never been in touch with the caller before. */
  newContact: boolean;
}

export interface Subscriber {
  activatedAt: number;
  realNameVerified: boolean;
  profile: UsageProfile;
}

/** A cell behind a decision, for the explanation (cell id and time). */
export interface CellEvidence {
  cell: number;
  atSec: number;
  activity: 'call' | 'sms' | 'location';
}

/**
 * What a signal's measure reads: the number's memory and window sums at one
 * instant. One object, refilled for every measurement (measure is synchronous).
 */
export interface Memory {
  readonly store: ActivityStore;
  /** The number's slot in the store, -1 when it has none (nothing remembered). */
  slot: number;
  /** The slot's extra (its reports, sightings and buckets: store.extra[slot]), -1 when it has none. */
  extra: number;
  nowSec: number;
  nowMs: number;
  msisdnKey: number;
  subscriber: Subscriber | undefined;
  registry: RegistryMark | undefined;
  /** Every window counter summed over 10 minutes, 90 minutes and 24 hours (see activity-store). */
  readonly min10: Float64Array;
  readonly min90: Float64Array;
  readonly hours24: Float64Array;
  /** Store indexes of the outbound calls and texts of the last 24 h, newest first (`recentCount` of them). */
  readonly recent: Int32Array;
  recentCount: number;
  /** The index of the window counter of the signal being measured (-1 when it keeps none). */
  ownCounter: number;
}

/** What every signal may read besides its own measures. */
export interface BaseFeatures {
  nowSec: number;
  /** Calls (not texts) remembered in the last 24 h, how many were answered and how many called back. */
  callsRecent: number;
  answeredRecent: number;
  callbacks: number;
  profile: UsageProfile;
  registry: RegistryMark | undefined;
  cells: CellEvidence[];
}

/** What a signal's `assess` hands its findings to (one object per policy, reused). */
export interface Assessor {
  /** The declared profile's multiplier of volume thresholds. */
  readonly volume: number;
  readonly curve: StrengthCurve;
  /** The strength of `value` against `threshold` on the policy's curve (0 below it). */
  strength(value: number, threshold: number): number;
  /** A finding of the signal being assessed; `strength` defaults to the curve's. */
  add(measure: string, value: number, threshold: number, strength?: number): void;
  /**
   * The finding of the stronger of two measures of one signal (the first on a tie), each a name, a value and its
   * threshold (positional: the hot path allocates nothing).
   */
  addStronger(
    measure: string,
    value: number,
    threshold: number,
    otherMeasure: string,
    otherValue: number,
    otherThreshold: number,
  ): void;
}

export interface SignalDefinition<
  K extends string = string,
  C extends string = string,
  T extends ThresholdSchema = ThresholdSchema,
  F extends object = object,
> {
  /** The name of its code in `ReasonCode`, e.g. `CallBurst`. */
  readonly key: K;
  /** The reason code, e.g. `CALL_BURST`: stored in decisions and sent on the wire. */
  readonly code: C;
  readonly text: ReasonText;
  /** Evidence that alone never goes past the policy's weak-evidence cap. */
  readonly weak?: boolean;
  /** A volume signal: thresholds scaled by the declared profile, halved by honest patterns. */
  readonly volume?: boolean;
  /** False: never counts as one of the kinds of evidence a suspension needs. */
  readonly countsAsKind?: boolean;
  /** True: suspends without a second kind of evidence. */
  readonly suspendsAlone?: boolean;
  /** Its part of `policy.thresholds`. */
  readonly thresholds: T;
  /**
   * Each of its measures by name, with how far back it looks (seconds, or from
   * the policy's thresholds): the evidence window of a decision it leads.
   */
  readonly windows: Readonly<Record<string, number | ((t: ResolvedThresholds<T>) => number)>>;
  /** Its measures, with their values when nothing is remembered. */
  readonly features: F;
  /**
   * What it keeps per number beyond the shared memory: one window counter,
   * counting the calls and texts for which `record` answers true.
   */
  record?(activity: RecordedActivity, t: ResolvedThresholds<T>): boolean;
  /** Fills its features from the number's memory (none: it reads only the base features). */
  measure?(memory: Memory, t: ResolvedThresholds<T>, f: F & BaseFeatures): void;
  /** Its findings under a policy (nothing when below its thresholds). Outcomes have none. */
  assess?(f: F & BaseFeatures, t: ResolvedThresholds<T>, a: Assessor): void;
}

/** Declares a signal; the literal types of its key, code, thresholds and features are kept for the tables. */
export function defineSignal<
  const K extends string,
  const C extends string,
  const T extends ThresholdSchema,
  F extends object,
>(definition: SignalDefinition<K, C, T, F>): SignalDefinition<K, C, T, F> {
  return definition;
}

export const DAY_SEC = 86_400;

/**
 * A plain object of these properties that V8 keeps in fast mode: properties
 * added by computed name past about a dozen turn an object into a slow
 * dictionary, and the hot path reads features and thresholds on every event.
 */
export function fastObject<T>(entries: Iterable<readonly [string, unknown]>): T {
  const o = {};
  for (const [name, value] of entries)
    Object.defineProperty(o, name, { value, writable: true, enumerable: true, configurable: true });
  return o as T;
}

/** The value a signal shows in evidence: three decimals. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** The strength of `value` against `threshold` on `curve` (see StrengthCurve). */
export function strengthOf(value: number, threshold: number, curve: StrengthCurve): number {
  if (!(value >= threshold) || threshold <= 0) return value >= threshold && threshold <= 0 && value > 0 ? 1 : 0;
  if (curve === 'step') return 1;
  return Math.min(1, 0.5 + (0.5 * (value - threshold)) / threshold);
}

/** Advice shared by the volume signals. */
export const VOLUME_ADVICE = {
  adviceZh: '如因工作（快递、外卖、物流等）需要大量外呼，请通过单位或平台申报号码用途，我们将据此调整判断。',
  adviceEn:
    'If your work (courier, delivery, logistics) needs many calls, ' +
    'have your employer or platform declare this use of the number.',
} as const;

/** Advice shared by the signals that suggest someone else uses the number. */
export const MISUSE_ADVICE = {
  adviceZh: '请留意是否有人盗用您的号码；如有疑问请联系客服。',
  adviceEn: 'Check that nobody else is using your number; contact customer service if unsure.',
} as const;

/** Advice shared by the signals of a dialling machine. */
export const CHECK_NOW_ADVICE = {
  adviceZh: '请立即联系客服核实号码使用情况。',
  adviceEn: 'Contact customer service at once to check how the number is used.',
} as const;
