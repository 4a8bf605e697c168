import { signalIndexOf } from './error-budget';
import { Action, ladderLevel, type PolicyDocument } from './policy';
import { rulesOf, type Rules } from './rules';
import { ASSESSES, MEASURED_SIGNALS, WEIGHED, type Features, type ReasonCode } from './signals';
import { reportAttack, underReportAttack } from './signals/report-attack';
import {
  DAY_SEC,
  round,
  SignalKind,
  strengthOf,
  type Assessor,
  type CellEvidence,
  type StrengthCurve,
} from './signals/signal';

/** One reason, measured: the value against its threshold, and its strength on the policy's curve. */
interface Measurement {
  code: ReasonCode;
  kind: SignalKind;
  /** The measure's name as shown in evidence, e.g. `calls_90m`. */
  measure: string;
  value: number;
  threshold: number;
  strength: number;
}

/** A reason that counted: its measurement and what it weighed in the score. */
export interface Signal extends Measurement {
  contribution: number;
}

/** What the ladder needs to take a step: the reasons, their score, the action after the gates. */
export interface Assessment {
  score: number;
  /** Strongest first. */
  signals: Signal[];
  /** The ladder step the evidence supports, after the policy's gates. */
  action: Action;
  /** When the number was measured (store seconds) and how far back the strongest reason looked. */
  nowSec: number;
  windowSec: number;
  /** Cells behind the evidence, oldest first. */
  cells: CellEvidence[];
}

/** One signal's reading under a policy, weighed or not: what `explain` lists. */
export interface SignalReading extends Measurement {
  weight: number;
}

/** Kinds that count towards the several kinds a suspension needs. */
const EVIDENCE_KINDS: ReadonlySet<SignalKind> = new Set([
  SignalKind.Behaviour,
  SignalKind.Reports,
  SignalKind.Location,
  SignalKind.Registry,
]);
const codes = (keep: (s: (typeof MEASURED_SIGNALS)[number]) => boolean | undefined): ReadonlySet<ReasonCode> =>
  new Set(
    MEASURED_SIGNALS.slice(0, WEIGHED)
      .filter((s) => keep(s) === true)
      .map((s) => s.code),
  );
/** Evidence that alone never restricts under a policy with a weak-evidence cap. */
const WEAK = codes((s) => s.weak);
const VOLUME = codes((s) => s.volume);
const NOT_A_KIND = codes((s) => s.countsAsKind === false);
const SUSPENDS_ALONE = codes((s) => s.suspendsAlone);
const REPORT_ATTACK = MEASURED_SIGNALS.findIndex((s) => s.code === reportAttack.code);
const strongestFirst = (a: { contribution: number }, b: { contribution: number }) => b.contribution - a.contribution;

/** Collects the findings of one signal after another (one per policy: assess is synchronous). */
class Findings implements Assessor {
  volume = 1;
  signal = 0;
  signals: Signal[] = [];
  /** Set by explain: every finding is kept, with its weight, weighed or not. */
  readings: SignalReading[] | undefined;

  constructor(
    readonly rules: Rules,
    readonly curve: StrengthCurve,
  ) {}

  strength(value: number, threshold: number): number {
    return strengthOf(value, threshold, this.curve);
  }

  addStronger(
    measure: string,
    value: number,
    threshold: number,
    otherMeasure: string,
    otherValue: number,
    otherThreshold: number,
  ): void {
    const strength = strengthOf(value, threshold, this.curve);
    const other = strengthOf(otherValue, otherThreshold, this.curve);
    if (strength >= other) this.add(measure, value, threshold, strength);
    else this.add(otherMeasure, otherValue, otherThreshold, other);
  }

  add(measure: string, value: number, threshold: number, strength?: number): void {
    const weight = this.rules.weights[this.signal];
    const s = strength ?? strengthOf(value, threshold, this.curve);
    if (this.readings) {
      this.readings.push({ ...this.measurement(measure, value, threshold, s), weight });
      return;
    }
    if (weight <= 0 || s <= 0) return;
    this.signals.push({ ...this.measurement(measure, value, threshold, s), contribution: weight * s });
  }

  private measurement(measure: string, value: number, threshold: number, strength: number): Measurement {
    const definition = MEASURED_SIGNALS[this.signal];
    const kind = definition.text.kind as SignalKind;
    return { code: definition.code, kind, measure, value: round(value), threshold: round(threshold), strength };
  }
}

const findingsOf = new WeakMap<Rules, Findings>();
let lastFindings: Findings | undefined;

function findings(rules: Rules, f: Features): Findings {
  let found = lastFindings?.rules === rules ? lastFindings : findingsOf.get(rules);
  if (!found) {
    found = new Findings(rules, rules.policy.curve);
    findingsOf.set(rules, found);
  }
  lastFindings = found;
  found.volume = rules.policy.profileVolumeMultiplier[f.profile] ?? 1;
  found.signals = [];
  found.readings = undefined;
  return found;
}

/** A number measured against a policy: the reasons that apply, their combined score, the action. */
export function assess(f: Features, policy: PolicyDocument): Assessment {
  return assessUnder(f, rulesOf(policy));
}

/**
 * The same, under a policy's resolved rules (the engine's path). `demoted`: the
 * reasons the policy's error budget demoted (a mask over the weighed signals),
 * whose weight counts only up to WARN.
 */
export function assessUnder(f: Features, rules: Rules, demoted = 0): Assessment {
  const t = rules.thresholds;
  const found = findings(rules, f);
  for (let s = 0; s < WEIGHED; s++) {
    // A signal the policy gives no weight cannot change the score: not assessed.
    if (!(rules.weights[s] > 0)) continue;
    found.signal = s;
    ASSESSES[s](f, t, found);
  }
  const signals = found.signals;

  // Honest heavy callers: their calls are answered and called back.
  const honest = rules.honestPattern;
  if (rules.honestPatternDiscount && f.callsRecent >= honest.minCalls) {
    const answerRate = f.answeredRecent / f.callsRecent;
    if (answerRate >= honest.answerRate && f.callbacks / f.callsRecent >= honest.callbackShare) {
      for (const s of signals) if (VOLUME.has(s.code)) s.contribution /= 2;
    }
  }

  let remaining = 1;
  for (const s of signals) remaining *= 1 - s.contribution;
  const score = round(1 - remaining);
  let action = gate(score, signals, rules);
  if (demoted !== 0) action = withDemoted(action, signals, rules, demoted);
  signals.sort(strongestFirst);
  return { score, signals, action, nowSec: f.nowSec, windowSec: windowOf(signals[0], rules), cells: f.cells };
}

/**
 * Every weighed signal's reading under a policy, weight 0 included, for
 * explanations and for trying a signal before giving it a weight.
 */
export function explain(f: Features, policy: PolicyDocument): SignalReading[] {
  const rules = rulesOf(policy);
  const found = new Findings(rules, rules.policy.curve);
  found.volume = rules.policy.profileVolumeMultiplier[f.profile] ?? 1;
  found.readings = [];
  for (let s = 0; s < WEIGHED; s++) {
    found.signal = s;
    MEASURED_SIGNALS[s].assess?.(f, rules.thresholds, found);
  }
  return found.readings;
}

/** A false-report attack on the number: the MONITOR it leads to, with its one measure; undefined when none. */
export function assessReportAttack(f: Features, rules: Rules): Assessment | undefined {
  if (!underReportAttack(f, rules.thresholds)) return undefined;
  const measure = 'uncorroborated_reports_24h';
  const signal: Signal = {
    code: reportAttack.code,
    kind: 'outcome' as never,
    measure,
    value: f.uncorroborated24h,
    threshold: rules.thresholds.reportAttack24h,
    strength: 0,
    contribution: 0,
  };
  const windowSec = rules.windows[REPORT_ATTACK][measure];
  return { score: 0, signals: [signal], action: Action.Monitor, nowSec: f.nowSec, windowSec, cells: f.cells };
}

function windowOf(strongest: Signal | undefined, rules: Rules): number {
  if (!strongest) return DAY_SEC;
  for (let s = 0; s < WEIGHED; s++) {
    if (MEASURED_SIGNALS[s].code !== strongest.code) continue;
    return rules.windows[s][strongest.measure] ?? DAY_SEC;
  }
  return DAY_SEC;
}

/**
 * The action when some reasons are demoted: what the others support alone, or
 * what all of them support up to WARN, whichever is higher. Without a demoted
 * reason among the signals, the action stands.
 */
function withDemoted(action: Action, signals: Signal[], rules: Rules, demoted: number): Action {
  const kept = signals.filter((s) => !(demoted & (1 << signalIndexOf(s.code))));
  if (kept.length === signals.length) return action;
  let remaining = 1;
  for (const s of kept) remaining *= 1 - s.contribution;
  const alone = gate(round(1 - remaining), kept, rules);
  const capped = ladderLevel(action) > ladderLevel(Action.Warn) ? Action.Warn : action;
  return ladderLevel(alone) >= ladderLevel(capped) ? alone : capped;
}

function gate(score: number, signals: Signal[], rules: Rules): Action {
  const policy = rules.policy;
  const l = policy.ladder;
  let action =
    score >= l.suspend
      ? Action.Suspend
      : score >= l.restrict
        ? Action.Restrict
        : score >= l.warn
          ? Action.Warn
          : score >= l.monitor
            ? Action.Monitor
            : Action.None;
  const meaningful = rules.meaningfulContribution;
  let onlyWeak = true;
  for (const s of signals) if (s.contribution >= meaningful && !WEAK.has(s.code)) onlyWeak = false;
  if (onlyWeak && ladderLevel(action) > ladderLevel(policy.gates.weakEvidenceCap))
    action = policy.gates.weakEvidenceCap;
  if (
    action === Action.Suspend &&
    policy.gates.suspendMinKinds > 1 &&
    !signals.some((s) => SUSPENDS_ALONE.has(s.code))
  ) {
    // A registry SUSPECTED may be our own flag echoed back: it never counts as a second kind.
    const kinds = new Set<SignalKind>();
    for (const s of signals)
      if (s.contribution >= meaningful && !WEAK.has(s.code) && !NOT_A_KIND.has(s.code) && EVIDENCE_KINDS.has(s.kind))
        kinds.add(s.kind);
    if (kinds.size < policy.gates.suspendMinKinds) action = Action.Restrict;
  }
  return action;
}
