import { ValidationError, ValidationErrorCode } from '../errors';
import { isServiceNumber } from '../msisdn';
import { UsageProfile } from './events';
import { ReasonCode, THRESHOLD_SCHEMA, type PolicyThresholds, type StrengthCurve, type ThresholdSpec } from './signals';

export type { PolicyThresholds, StrengthCurve };

/** The decision ladder, lowest first. */
export enum Action {
  None = 'NONE',
  Monitor = 'MONITOR',
  Warn = 'WARN',
  Restrict = 'RESTRICT',
  Suspend = 'SUSPEND',
  Restore = 'RESTORE',
  /** For a number of another carrier: sent to the administration, never acted on here. */
  Report = 'REPORT',
}

export const LADDER: readonly Action[] = [Action.None, Action.Monitor, Action.Warn, Action.Restrict, Action.Suspend];

export function ladderLevel(action: Action): number {
  return LADDER.indexOf(action);
}

export interface PolicyGates {
  /** A suspension needs evidence of at least this many kinds (behaviour, reports, location, registry). */
  suspendMinKinds: number;
  /**
   * The highest action weak evidence alone (new number, segment, passing
   * through, uncorroborated reports) may reach.
   */
  weakEvidenceCap: Action;
  /** Honest patterns (calls answered and called back) halve volume signals. */
  honestPatternDiscount: boolean;
  /**
   * What an honest pattern is: at least `minCalls` calls in the last day, a
   * share `answerRate` of them answered and `callbackShare` called back within
   * `callbackWithinHours`. Optional, as each field: 5, 0.6, 0.1 and 24 h.
   */
  honestPattern?: { minCalls?: number; answerRate?: number; callbackShare?: number; callbackWithinHours?: number };
  /** A reason weighing less than this is not evidence for the gates. Optional: 0.05. */
  meaningfulContribution?: number;
}

export interface PolicyLadder {
  monitor: number;
  warn: number;
  restrict: number;
  suspend: number;
  /** MONITOR and WARN lapse after this many days without a new decision. Optional: 7. */
  quietResetDays?: number;
  /** A number of another carrier is reported to the administration at most this often. Optional: 24. */
  foreignReportEveryHours?: number;
}

/**
 * How long a RESTRICT or SUSPEND stands without new evidence before it steps
 * down to WARN (TERM_LAPSED). Absent (the section or a step's field): that step
 * never lapses, as before terms existed.
 */
export interface PolicyTerms {
  /** A restriction's term, in hours. */
  restrictHours?: number;
  /** A suspension's term, in days. */
  suspendDays?: number;
  /** How many times new evidence may renew a term (each renewal starts it afresh). Optional: 3. */
  maxRenewals?: number;
}

export interface PolicyDocument {
  name: string;
  version: number;
  description: string;
  curve: StrengthCurve;
  thresholds: PolicyThresholds;
  /** Weight of each reason (0 to 1); a reason absent or 0 is not used. */
  weights: Partial<Record<ReasonCode, number>>;
  /** Volume thresholds are multiplied for a declared profile (attested declarations only count once attested). */
  profileVolumeMultiplier: Record<UsageProfile, number>;
  ladder: PolicyLadder;
  gates: PolicyGates;
  /** Re-activation after a suspension: `chances` per `windowDays`; mistaken suspensions never use one. */
  reactivation: { chances: number; windowDays: number };
  /** Terms of RESTRICT and SUSPEND. Optional: absent, they stand until a restore. */
  terms?: PolicyTerms;
  /**
   * Emergency and service numbers (3 to 6 digits, as dialled) that CheckCall
   * always allows, whatever the caller's step or registry mark. Optional:
   * absent means RULE_DEFAULTS.essentials (110, 119, 120, 122, 12110, 96110,
   * 12381, 12321, 10086, 10010, 10000, 10099).
   */
  essentials?: string[];
  /** Protect the callee before cutting the caller. Optional: absent, no call is labelled and no callee warned. */
  calleeProtection?: PolicyCalleeProtection;
  /**
   * A person reviews a long-held number before the machine suspends it. Optional: absent, the machine suspends alone,
   * as before.
   */
  humanReview?: PolicyHumanReview;
  /**
   * The error budget of each weighed reason: a reason with `minMistakes` RESTRICT
   * or SUSPEND steps undone as mistakes in `windowDays`, at least `share` of its
   * steps there, is demoted (counts only up to WARN) until an operator
   * re-enables it. Optional: absent, no reason is ever demoted; present, each
   * field defaults to RULE_DEFAULTS.errorBudget (30 days, 3 mistakes, 0.05).
   */
  errorBudget?: PolicyErrorBudget;
}

export interface PolicyErrorBudget {
  windowDays?: number;
  minMistakes?: number;
  share?: number;
}

/**
 * A suspension by the analysis alone of a real-name number held at least
 * `tenureDays` is not applied: the number is restricted (REVIEW_PENDING) and a
 * person decides. Directives and police confirmations still suspend at once.
 */
export interface PolicyHumanReview {
  /** How long the number must have been active, in days. Optional: 365. */
  tenureDays?: number;
}

/**
 * The least harmful act when the evidence is uncertain: from `fromStep` on the
 * active ladder, CheckCall labels the number's calls to people it has not been
 * in contact with (LABEL, CARRIER_WARNED), and a callee of ours who answered
 * such a call gets a warning SMS, at most once per `warnEveryHours`.
 */
export interface PolicyCalleeProtection {
  /** The caller's lowest step whose calls to strangers are labelled. Optional: WARN. */
  fromStep?: Action.Monitor | Action.Warn | Action.Restrict;
  /** Whether an answered callee of ours gets a warning SMS. Optional: true. */
  warnCallee?: boolean;
  /** A callee is warned at most this often. Optional: 24. */
  warnEveryHours?: number;
  /**
   * Label before restricting: evidence of the analysis alone that supports RESTRICT or more puts a number below
   * RESTRICT at `fromStep` first, and acts only once one of its calls to a stranger has been labelled there (the
   * next such call: the callee is protected before the caller is cut off). Orders (directives, registry
   * confirmations) act at once. Optional: false. Needs `fromStep` below RESTRICT.
   */
  labelFirst?: boolean;
}

/** The steps calleeProtection.fromStep may name. */
export const CALLEE_PROTECTION_STEPS: readonly Action[] = [Action.Monitor, Action.Warn, Action.Restrict];

export function policyLabel(policy: Pick<PolicyDocument, 'name' | 'version'>): string {
  return `${policy.name}@${policy.version}`;
}

const DAY = 86_400_000;

/** Today's practice as the source article describes it: single rules, no corroboration, no profiles. */
export const NAIVE_POLICY: PolicyDocument = {
  name: 'naive',
  version: 1,
  description:
    '20+ calls in 90 minutes from a new-segment number: suspend; ' +
    'any presence at a high-risk cell: cut data; a few reports: suspend.',
  curve: 'step',
  thresholds: {
    calls10m: 1_000_000,
    calls90m: 20,
    newContacts90m: 1_000_000,
    lowAnswerRate: { max: 0, minCalls: 1_000_000 },
    shortCalls: { maxSec: 0, share: 1, minAnswered: 1_000_000 },
    oneRing: { maxRingSec: 3, count24h: 30 },
    sequentialRun: { length: 1_000_000, maxStep: 1 },
    sms10m: 100,
    smsRecipients24h: 1_000_000,
    newNumberDays: 30,
    newSegments: ['165', '167', '170', '171', '191', '192', '193', '195', '196', '197', '198', '199'],
    highRiskActivity: { calls: 1, minDwellMin: 0 },
    highRiskPresence: 1,
    corroboratedReports: { reporters: 1_000_000, days: 30 },
    uncorroboratedReports: 3,
    reportAttack24h: 1_000_000,
  },
  weights: {
    [ReasonCode.CallBurst]: 0.8,
    [ReasonCode.NewSegment]: 0.6,
    [ReasonCode.NewNumber]: 0.2,
    [ReasonCode.HighRiskCellActivity]: 0.75,
    [ReasonCode.HighRiskCellPresence]: 0.75,
    [ReasonCode.UncorroboratedReports]: 0.95,
    [ReasonCode.OneRingCalls]: 0.95,
    [ReasonCode.SmsBurst]: 0.95,
    [ReasonCode.RegistryConfirmed]: 1,
    [ReasonCode.RegistrySuspected]: 0.95,
  },
  profileVolumeMultiplier: { none: 1, courier: 1, delivery: 1, logistics: 1, enterprise: 1 },
  ladder: { monitor: 0.2, warn: 0.69, restrict: 0.7, suspend: 0.9 },
  gates: { suspendMinKinds: 1, weakEvidenceCap: Action.Suspend, honestPatternDiscount: false },
  reactivation: { chances: 1, windowDays: 3650 },
};

/** Ours: graduated, corroborated, profile-aware; weak evidence alone never restricts. */
/**
 * The first `default`, as stored by the carrier's first migration; kept
 * unchanged so that a database created today holds what older ones hold.
 */
export const DEFAULT_POLICY_V1: PolicyDocument = {
  name: 'default',
  version: 1,
  description:
    'Weighs behaviour, corroborated reports, dwell at high-risk cells and registry status; ' +
    'suspends only on evidence of two kinds.',
  curve: 'ramp',
  thresholds: {
    calls10m: 9,
    calls90m: 40,
    newContacts90m: 15,
    lowAnswerRate: { max: 0.5, minCalls: 15 },
    shortCalls: { maxSec: 8, share: 0.6, minAnswered: 10 },
    oneRing: { maxRingSec: 3, count24h: 12 },
    sequentialRun: { length: 8, maxStep: 3 },
    sms10m: 30,
    smsRecipients24h: 150,
    newNumberDays: 30,
    newSegments: ['165', '167', '170', '171', '191', '192', '193', '195', '196', '197', '198', '199'],
    highRiskActivity: { calls: 4, minDwellMin: 60 },
    highRiskPresence: 1,
    corroboratedReports: { reporters: 1, days: 14 },
    uncorroboratedReports: 3,
    reportAttack24h: 10,
  },
  weights: {
    [ReasonCode.CallBurst]: 0.4,
    [ReasonCode.ManyNewContacts]: 0.4,
    [ReasonCode.LowAnswerRate]: 0.55,
    [ReasonCode.ShortCalls]: 0.5,
    [ReasonCode.OneRingCalls]: 0.7,
    [ReasonCode.SequentialDialling]: 0.75,
    [ReasonCode.SmsBurst]: 0.75,
    [ReasonCode.NewNumber]: 0.15,
    [ReasonCode.HighRiskCellActivity]: 0.6,
    [ReasonCode.HighRiskCellPresence]: 0.1,
    [ReasonCode.CorroboratedReports]: 0.9,
    [ReasonCode.RegistrySuspected]: 0.3,
    [ReasonCode.RegistryConfirmed]: 1,
  },
  profileVolumeMultiplier: { none: 1, courier: 3, delivery: 3, logistics: 2, enterprise: 4 },
  ladder: { monitor: 0.2, warn: 0.4, restrict: 0.6, suspend: 0.85 },
  gates: { suspendMinKinds: 2, weakEvidenceCap: Action.Monitor, honestPatternDiscount: true },
  reactivation: { chances: 1, windowDays: 180 },
};

/**
 * `default@2`: v1 and a daily new-contacts measure. A threshold prober (8 calls
 * to strangers every 35 minutes, all day, 40% answered, never called back) stays
 * under v1's 10- and 90-minute thresholds and only ever reached WARN; 40 new
 * contacts in 24 h now count (×3 for a declared courier, halved for calls that
 * are answered and called back, as the other volume reasons).
 */
export const DEFAULT_POLICY_V2: PolicyDocument = {
  ...DEFAULT_POLICY_V1,
  version: 2,
  description:
    'Weighs behaviour (including new contacts over a whole day), corroborated reports, ' +
    'dwell at high-risk cells and registry status; suspends only on evidence of two kinds.',
  thresholds: { ...DEFAULT_POLICY_V1.thresholds, newContacts24h: 40 },
  weights: { ...DEFAULT_POLICY_V1.weights, [ReasonCode.ManyNewContactsDay]: 0.4 },
};

/**
 * `default@3`, least harm: v2 measured the same way, acting with less harm.
 * - A report is corroborated by either side's records of the call (victims on
 *   other networks count).
 * - A stay at a listed cell weighs only the fraud-like calls made there (to
 *   strangers, unanswered or short, never called back).
 * - RESTRICT lapses to WARN after 72 h and SUSPEND after 30 days without new
 *   evidence (at most 3 renewals).
 * - From WARN, the number's calls to strangers are labelled (CARRIER_WARNED)
 *   and a callee of ours who answers one is warned by SMS, once a day.
 * - A real-name number held a year or more is restricted, not suspended, by
 *   the analysis alone: a person reviews it first.
 * - A reason whose restrictions are undone as mistakes (3, and 5% of its steps,
 *   in 30 days) is demoted to count only up to WARN until an operator
 *   re-enables it.
 */
export const DEFAULT_POLICY_V3: PolicyDocument = {
  ...DEFAULT_POLICY_V2,
  version: 3,
  description:
    'Least harm: weighs behaviour, reports corroborated by either side of the call, what is done at high-risk ' +
    'cells and registry status; labels calls to strangers from WARN and warns their callees; a person reviews ' +
    'long-held numbers before a suspension; restrictions lapse; a rule that errs is demoted.',
  thresholds: {
    ...DEFAULT_POLICY_V2.thresholds,
    corroboratedReports: { ...DEFAULT_POLICY_V2.thresholds.corroboratedReports, bothSides: true },
    highRiskActivity: { ...DEFAULT_POLICY_V2.thresholds.highRiskActivity, fraudLikeOnly: true },
  },
  terms: { restrictHours: 72, suspendDays: 30, maxRenewals: 3 },
  calleeProtection: { fromStep: Action.Warn, warnCallee: true, warnEveryHours: 24 },
  humanReview: { tenureDays: 365 },
  errorBudget: { windowDays: 30, minMistakes: 3, share: 0.05 },
};

/**
 * `default@4`: v3, labelling before restricting. Under v3 about half the fraud numbers it caught went from MONITOR
 * straight to RESTRICT in one call, so none of their calls was ever labelled; their callees got no warning first.
 * Now the analysis's evidence puts a number at WARN first and restricts it from its next call to a stranger (which
 * call setup labels): `calleeProtection.labelFirst`. Orders (directives, registry confirmations) still act at once.
 */
export const DEFAULT_POLICY_V4: PolicyDocument = {
  ...DEFAULT_POLICY_V3,
  version: 4,
  description:
    'Least harm: weighs behaviour, reports corroborated by either side of the call, what is done at high-risk ' +
    'cells and registry status; labels calls to strangers from WARN, and labels before it restricts; warns their ' +
    'callees; a person reviews long-held numbers before a suspension; restrictions lapse; a rule that errs is demoted.',
  calleeProtection: { ...DEFAULT_POLICY_V3.calleeProtection, labelFirst: true },
};

/**
 * `default@5`: v4 that also weighs calls to strangers nobody returns (UNRETURNED_CALLS). Under v4 the smallest bursts
 * from new numbers (20 calls to strangers in 20 to 25 minutes, 40% answered, none returned) scored just under
 * RESTRICT and stayed at WARN. Honest work calling strangers is answered or called back, so the new reason never
 * speaks for it; a burst now restricts after its labelled call, as larger bursts did.
 */
export const DEFAULT_POLICY_V5: PolicyDocument = {
  ...DEFAULT_POLICY_V4,
  version: 5,
  description:
    'Least harm: weighs behaviour (including calls to strangers nobody returns), reports corroborated by either ' +
    'side of the call, what is done at high-risk cells and registry status; labels calls to strangers from WARN, ' +
    'and labels before it restricts; warns their callees; a person reviews long-held numbers before a suspension; ' +
    'restrictions lapse; a rule that errs is demoted.',
  thresholds: { ...DEFAULT_POLICY_V4.thresholds, unreturnedCalls: { calls: 15, answerRate: 0.5 } },
  weights: { ...DEFAULT_POLICY_V4.weights, [ReasonCode.UnreturnedCalls]: 0.3 },
};

/** The built-in default of this release (what `default` means in fraudctl, the simulator and the benchmarks). */
export const DEFAULT_POLICY: PolicyDocument = DEFAULT_POLICY_V5;

export const BUILT_IN_POLICIES: Record<string, PolicyDocument> = { naive: NAIVE_POLICY, default: DEFAULT_POLICY };

export function reactivationWindowMs(policy: PolicyDocument): number {
  return policy.reactivation.windowDays * DAY;
}

function check(condition: boolean, field: string, reason: string): void {
  if (!condition) throw new ValidationError(ValidationErrorCode.Malformed, field, reason);
}

function positive(value: unknown, field: string): void {
  check(typeof value === 'number' && Number.isFinite(value) && value >= 0, field, 'must be a number ≥ 0');
}

function fraction(value: unknown, field: string): void {
  check(typeof value === 'number' && value >= 0 && value <= 1, field, 'must be between 0 and 1');
}

/** One threshold against the schema its signal declares (signals/). */
function checkThreshold(spec: ThresholdSpec, value: unknown, field: string): void {
  if (value === undefined && spec.type !== 'prefixes' && spec.optional) return;
  if (spec.type === 'prefixes')
    check(
      Array.isArray(value) && value.every((s) => typeof s === 'string' && /^\d{3}$/.test(s)),
      field,
      'must be a list of 3-digit prefixes',
    );
  else if (spec.type === 'group') {
    check(!!value && typeof value === 'object', field, 'is required');
    for (const [sub, subSpec] of Object.entries(spec.fields)) {
      const subValue = (value as Record<string, unknown>)[sub];
      if (subValue === undefined && subSpec.optional) continue;
      if (subSpec.flag) check(typeof subValue === 'boolean', `${field}.${sub}`, 'must be true or false');
      else positive(subValue, `${field}.${sub}`);
    }
  } else positive(value, field);
}

/** The fields a policy document may have (a misspelt one would otherwise be ignored, its default silently kept). */
function documentTemplate(): unknown {
  const thresholds = Object.fromEntries(
    Object.entries(THRESHOLD_SCHEMA).map(([name, spec]) => [
      name,
      spec.type === 'number'
        ? 0
        : spec.type === 'prefixes'
          ? []
          : Object.fromEntries(Object.keys(spec.fields).map((f) => [f, 0])),
    ]),
  );
  return {
    ...DEFAULT_POLICY,
    thresholds,
    ladder: { ...DEFAULT_POLICY.ladder, quietResetDays: 0, foreignReportEveryHours: 0 },
    gates: {
      ...DEFAULT_POLICY.gates,
      honestPattern: { minCalls: 0, answerRate: 0, callbackShare: 0, callbackWithinHours: 0 },
      meaningfulContribution: 0,
    },
    terms: { restrictHours: 0, suspendDays: 0, maxRenewals: 0 },
    essentials: [],
    humanReview: { tenureDays: 0 },
    calleeProtection: { fromStep: Action.Warn, warnCallee: true, warnEveryHours: 0, labelFirst: false },
    errorBudget: { windowDays: 0, minMistakes: 0, share: 0 },
  };
}
const TEMPLATE = documentTemplate();

/**
 * Validates a policy document from outside (a file, an RPC): every threshold,
 * weight and ladder step is checked and named when wrong.
 */
export function validatePolicy(input: unknown): PolicyDocument {
  check(!!input && typeof input === 'object' && !Array.isArray(input), 'policy', 'must be a JSON object');
  const p = input as PolicyDocument;
  // A misspelt field would otherwise be ignored and its default silently kept.
  onlyKnownKeys(p, TEMPLATE, 'policy');
  check(
    typeof p.name === 'string' && /^[a-z][a-z0-9_-]{0,39}$/.test(p.name),
    'policy.name',
    'must be a lower-case name of up to 40 characters',
  );
  check(Number.isInteger(p.version) && p.version >= 1, 'policy.version', 'must be a whole number ≥ 1');
  check(p.curve === 'step' || p.curve === 'ramp', 'policy.curve', 'must be "step" or "ramp"');
  check(!!p.thresholds && typeof p.thresholds === 'object', 'policy.thresholds', 'is required');
  for (const [key, spec] of Object.entries(THRESHOLD_SCHEMA))
    checkThreshold(spec, (p.thresholds as unknown as Record<string, unknown>)[key], `policy.thresholds.${key}`);
  check(!!p.weights && typeof p.weights === 'object', 'policy.weights', 'is required');
  for (const [code, weight] of Object.entries(p.weights)) {
    check((Object.values(ReasonCode) as string[]).includes(code), `policy.weights.${code}`, 'is not a reason code');
    check(
      typeof weight === 'number' && weight >= 0 && weight <= 1,
      `policy.weights.${code}`,
      'must be between 0 and 1',
    );
  }
  for (const profile of Object.values(UsageProfile)) {
    const m = p.profileVolumeMultiplier?.[profile];
    check(
      typeof m === 'number' && m >= 1 && m <= 100,
      `policy.profileVolumeMultiplier.${profile}`,
      'must be between 1 and 100',
    );
  }
  const l = p.ladder;
  check(
    !!l && [l.monitor, l.warn, l.restrict, l.suspend].every((v) => typeof v === 'number' && v > 0 && v <= 1),
    'policy.ladder',
    'needs monitor, warn, restrict and suspend between 0 and 1',
  );
  check(
    l.monitor <= l.warn && l.warn <= l.restrict && l.restrict <= l.suspend,
    'policy.ladder',
    'must rise: monitor ≤ warn ≤ restrict ≤ suspend',
  );
  if (l.quietResetDays !== undefined) positive(l.quietResetDays, 'policy.ladder.quietResetDays');
  if (l.foreignReportEveryHours !== undefined)
    positive(l.foreignReportEveryHours, 'policy.ladder.foreignReportEveryHours');
  const g = p.gates;
  check(
    !!g && Number.isInteger(g.suspendMinKinds) && g.suspendMinKinds >= 1 && g.suspendMinKinds <= 4,
    'policy.gates.suspendMinKinds',
    'must be 1 to 4',
  );
  check(LADDER.includes(g.weakEvidenceCap), 'policy.gates.weakEvidenceCap', `must be one of ${LADDER.join(', ')}`);
  check(typeof g.honestPatternDiscount === 'boolean', 'policy.gates.honestPatternDiscount', 'must be true or false');
  if (g.honestPattern !== undefined) {
    const h = g.honestPattern;
    check(!!h && typeof h === 'object' && !Array.isArray(h), 'policy.gates.honestPattern', 'must be an object');
    if (h.minCalls !== undefined) positive(h.minCalls, 'policy.gates.honestPattern.minCalls');
    if (h.answerRate !== undefined) fraction(h.answerRate, 'policy.gates.honestPattern.answerRate');
    if (h.callbackShare !== undefined) fraction(h.callbackShare, 'policy.gates.honestPattern.callbackShare');
    if (h.callbackWithinHours !== undefined)
      positive(h.callbackWithinHours, 'policy.gates.honestPattern.callbackWithinHours');
  }
  if (g.meaningfulContribution !== undefined) fraction(g.meaningfulContribution, 'policy.gates.meaningfulContribution');
  check(
    !!p.reactivation && Number.isInteger(p.reactivation.chances) && p.reactivation.chances >= 0,
    'policy.reactivation.chances',
    'must be a whole number ≥ 0',
  );
  positive(p.reactivation.windowDays, 'policy.reactivation.windowDays');
  if (p.terms !== undefined) checkTerms(p.terms);
  if (p.essentials !== undefined) checkEssentials(p.essentials);
  if (p.humanReview !== undefined) checkHumanReview(p.humanReview);
  if (p.calleeProtection !== undefined) checkCalleeProtection(p.calleeProtection);
  if (p.errorBudget !== undefined) checkErrorBudget(p.errorBudget);
  return { ...p, description: typeof p.description === 'string' ? p.description : '' };
}

function checkEssentials(essentials: unknown): void {
  check(Array.isArray(essentials), 'policy.essentials', 'must be a list of service numbers');
  (essentials as unknown[]).forEach((number, i) =>
    check(
      typeof number === 'string' && isServiceNumber(number),
      `policy.essentials[${i}]`,
      'must be a service number of 3 to 6 digits, e.g. "110"',
    ),
  );
}

function checkHumanReview(review: PolicyHumanReview): void {
  check(!!review && typeof review === 'object' && !Array.isArray(review), 'policy.humanReview', 'must be an object');
  if (review.tenureDays !== undefined)
    check(
      typeof review.tenureDays === 'number' && Number.isFinite(review.tenureDays) && review.tenureDays >= 0,
      'policy.humanReview.tenureDays',
      'must be a number of days ≥ 0',
    );
}

function checkCalleeProtection(section: PolicyCalleeProtection): void {
  const field = 'policy.calleeProtection';
  check(!!section && typeof section === 'object' && !Array.isArray(section), field, 'must be an object');
  if (section.fromStep !== undefined)
    check(
      CALLEE_PROTECTION_STEPS.includes(section.fromStep),
      `${field}.fromStep`,
      `must be one of ${CALLEE_PROTECTION_STEPS.join(', ')}`,
    );
  if (section.warnCallee !== undefined)
    check(typeof section.warnCallee === 'boolean', `${field}.warnCallee`, 'must be true or false');
  if (section.labelFirst !== undefined) {
    check(typeof section.labelFirst === 'boolean', `${field}.labelFirst`, 'must be true or false');
    check(
      !section.labelFirst || section.fromStep !== Action.Restrict,
      `${field}.labelFirst`,
      'needs fromStep below RESTRICT (a restricted number is not labelled: its calls to strangers are blocked)',
    );
  }
  if (section.warnEveryHours !== undefined)
    check(
      typeof section.warnEveryHours === 'number' &&
        Number.isFinite(section.warnEveryHours) &&
        section.warnEveryHours > 0,
      `${field}.warnEveryHours`,
      'must be a number > 0',
    );
}

function checkErrorBudget(budget: PolicyErrorBudget): void {
  check(!!budget && typeof budget === 'object' && !Array.isArray(budget), 'policy.errorBudget', 'must be an object');
  const { windowDays, minMistakes, share } = budget;
  if (windowDays !== undefined)
    check(
      typeof windowDays === 'number' && Number.isFinite(windowDays) && windowDays > 0,
      'policy.errorBudget.windowDays',
      'must be a number of days > 0',
    );
  if (minMistakes !== undefined)
    check(
      Number.isInteger(minMistakes) && minMistakes >= 1,
      'policy.errorBudget.minMistakes',
      'must be a whole number ≥ 1',
    );
  if (share !== undefined) fraction(share, 'policy.errorBudget.share');
}

function checkTerms(terms: PolicyTerms): void {
  check(!!terms && typeof terms === 'object' && !Array.isArray(terms), 'policy.terms', 'must be an object');
  for (const field of ['restrictHours', 'suspendDays'] as const) {
    const value = terms[field];
    if (value !== undefined)
      check(
        typeof value === 'number' && Number.isFinite(value) && value > 0,
        `policy.terms.${field}`,
        'must be a number > 0',
      );
  }
  if (terms.maxRenewals !== undefined)
    check(
      Number.isInteger(terms.maxRenewals) && terms.maxRenewals >= 0,
      'policy.terms.maxRenewals',
      'must be a whole number ≥ 0',
    );
}

const FREE_FORM: ReadonlySet<string> = new Set(['policy.weights', 'policy.description']);

function onlyKnownKeys(value: unknown, template: unknown, field: string): void {
  if (
    FREE_FORM.has(field) ||
    !value ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    !template ||
    typeof template !== 'object' ||
    Array.isArray(template)
  )
    return;
  for (const key of Object.keys(value)) {
    check(key in template, `${field}.${key}`, 'is not a field of a policy document');
    onlyKnownKeys(
      (value as Record<string, unknown>)[key],
      (template as Record<string, unknown>)[key],
      `${field}.${key}`,
    );
  }
}
