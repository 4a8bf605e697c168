import type { Msisdn } from '../msisdn';
import { fromSec } from './activity-store';
import { assess, type Signal } from './evaluate';
import type { Features } from './features';
import { Action, ladderLevel, policyLabel, reactivationWindowMs, type PolicyDocument } from './policy';
import { ReasonCode } from './reasons';

export interface DecisionEvidence {
  summary: string;
  windowStart: number;
  windowEnd: number;
  measures: { name: string; value: number; threshold: number }[];
  cells: { cell: string; at: number; activity: 'call' | 'sms' | 'location' }[];
}

/** One step on the ladder for one number, with everything needed to explain it. */
export interface Decision {
  at: number;
  msisdn: Msisdn;
  action: Action;
  previous: Action;
  reasons: ReasonCode[];
  score: number;
  policy: string;
  /** A shadow policy's would-be decision: recorded, never enforced. */
  shadow: boolean;
  evidence: DecisionEvidence;
}

/** Whether two standings (or their absence) are the same. */
export function sameStanding(a: Standing | undefined, b: Standing | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.level === b.level &&
    a.since === b.since &&
    a.lastReportAt === b.lastReportAt &&
    a.attackFlaggedAt === b.attackFlaggedAt &&
    a.chancesUsedAt.length === b.chancesUsedAt.length &&
    a.chancesUsedAt.every((t, i) => t === b.chancesUsedAt[i])
  );
}

/** Where a number stands on one policy's ladder. */
export interface Standing {
  level: Action;
  since: number;
  /** Suspensions restored by ID verification, for the one-chance rule. */
  chancesUsedAt: number[];
  /** Last report of this (foreign) number to the administration. */
  lastReportAt: number;
  attackFlaggedAt: number;
}

/** CONFIRMED_FRAUD: the registry lists the number as police-confirmed fraud, which no re-activation lifts (the engine answers it, not the ladder). */
export type ReactivationOutcome =
  'RESTORED' | 'NOT_SUSPENDED' | 'ID_NOT_VERIFIED' | 'REFER_TO_POLICE' | 'CONFIRMED_FRAUD';

const WINDOW_OF_MEASURE: Record<string, number> = {
  calls_10m: 600,
  sms_10m: 600,
  calls_90m: 5400,
  new_contacts_90m: 5400,
  corroborated_reporters: 30 * 86_400,
  uncorroborated_reports_30d: 30 * 86_400,
};
const DAY_SEC = 86_400;
const DAY_MS = 86_400_000;
/** MONITOR and WARN lapse after this long without a new decision. */
const QUIET_RESET_MS = 7 * DAY_MS;
/** A foreign number is reported to the administration at most once a day. */
const REPORT_EVERY_MS = DAY_MS;

/**
 * One policy's ladder over all numbers: escalates when the evidence supports a
 * higher step, restores on ID verification, clearance or appeal. Only numbers
 * that ever left NONE have a standing (objects are few: decisions are rare).
 */
export class Ladder {
  private readonly standings = new Map<number, Standing>();
  readonly label: string;

  constructor(
    readonly policy: PolicyDocument,
    readonly shadow: boolean,
    private readonly cellName: (cell: number) => string,
  ) {
    this.label = policyLabel(policy);
  }

  levelOf(key: number, atMs: number): Action {
    const standing = this.standings.get(key);
    if (!standing) return Action.None;
    if ((standing.level === Action.Monitor || standing.level === Action.Warn) && atMs - standing.since > QUIET_RESET_MS)
      return Action.None;
    return standing.level;
  }

  standingOf(key: number): Standing | undefined {
    return this.standings.get(key);
  }

  /** A copy of the number's standing, to be put back with putStanding (undefined: it has none). */
  copyOfStanding(key: number): Standing | undefined {
    const standing = this.standings.get(key);
    return standing && { ...standing, chancesUsedAt: [...standing.chancesUsedAt] };
  }

  /** Puts back a copy taken by copyOfStanding. */
  putStanding(key: number, standing: Standing | undefined): void {
    if (standing) this.standings.set(key, { ...standing, chancesUsedAt: [...standing.chancesUsedAt] });
    else this.standings.delete(key);
  }

  /** The same standings under another policy (a policy switch keeps every number where it is). */
  withPolicy(policy: PolicyDocument, shadow = this.shadow): Ladder {
    const next = new Ladder(policy, shadow, this.cellName);
    for (const [key, standing] of this.standings)
      next.standings.set(key, { ...standing, chancesUsedAt: [...standing.chancesUsedAt] });
    return next;
  }

  /** Puts a number back where the stored decisions left it (at start-up). */
  resume(key: number, level: Action, since: number, chancesUsedAt: number[]): void {
    const standing = this.ensure(key);
    standing.level = level === Action.Restore || level === Action.Report ? Action.None : level;
    standing.since = since;
    standing.chancesUsedAt = chancesUsedAt;
  }

  /** Our own subscriber, measured: a decision when the evidence supports a higher step. */
  consider(key: number, msisdn: Msisdn, f: Features, atMs: number): Decision | undefined {
    const assessment = assess(f, this.policy);
    const current = this.levelOf(key, atMs);
    if (ladderLevel(assessment.action) <= ladderLevel(current)) return undefined;
    const standing = this.ensure(key);
    standing.level = assessment.action;
    standing.since = atMs;
    return this.decision(msisdn, atMs, assessment.action, current, assessment.signals, assessment.score, f);
  }

  /** A number of another carrier: reported to the administration once its evidence reaches WARN. */
  considerForeign(key: number, msisdn: Msisdn, f: Features, atMs: number): Decision | undefined {
    const assessment = assess(f, this.policy);
    if (ladderLevel(assessment.action) < ladderLevel(Action.Warn)) return undefined;
    const standing = this.ensure(key);
    if (atMs - standing.lastReportAt < REPORT_EVERY_MS) return undefined;
    standing.lastReportAt = atMs;
    return this.decision(msisdn, atMs, Action.Report, Action.None, assessment.signals, assessment.score, f, [
      ReasonCode.ForeignHarassment,
    ]);
  }

  /** Many reports from people the number never contacted: flagged as a likely attack, once a day. */
  flagReportAttack(key: number, msisdn: Msisdn, f: Features, atMs: number): Decision | undefined {
    const standing = this.ensure(key);
    if (atMs - standing.attackFlaggedAt < DAY_MS) return undefined;
    standing.attackFlaggedAt = atMs;
    const current = this.levelOf(key, atMs);
    const signal: Signal = {
      code: ReasonCode.ReportAttack,
      kind: 'outcome' as never,
      measure: 'uncorroborated_reports_24h',
      value: f.uncorroborated24h,
      threshold: this.policy.thresholds.reportAttack24h,
      strength: 0,
      contribution: 0,
    };
    return this.decision(msisdn, atMs, Action.Monitor, current, [signal], 0, f, [ReasonCode.ReportAttack]);
  }

  /** An order from outside the analysis: a directive or a registry confirmation. */
  impose(key: number, msisdn: Msisdn, action: Action, reason: ReasonCode, atMs: number): Decision | undefined {
    const current = this.levelOf(key, atMs);
    if (ladderLevel(action) <= ladderLevel(current)) return undefined;
    const standing = this.ensure(key);
    standing.level = action;
    standing.since = atMs;
    return this.plain(msisdn, atMs, action, current, [reason], 1);
  }

  /** Restores a restricted or suspended number; a mistaken suspension never uses up a chance. */
  restore(key: number, msisdn: Msisdn, reason: ReasonCode, atMs: number): Decision | undefined {
    const current = this.levelOf(key, atMs);
    if (current === Action.None) return undefined;
    const standing = this.ensure(key);
    standing.level = Action.None;
    standing.since = atMs;
    if (ladderLevel(current) < ladderLevel(Action.Restrict)) return undefined;
    return this.plain(msisdn, atMs, Action.Restore, current, [reason], 0);
  }

  /** Re-activation after an ID check: one chance per policy window for a suspension; a restriction just lifts. */
  reactivate(
    key: number,
    msisdn: Msisdn,
    idVerified: boolean,
    atMs: number,
  ): { outcome: ReactivationOutcome; decision?: Decision } {
    const current = this.levelOf(key, atMs);
    if (ladderLevel(current) < ladderLevel(Action.Restrict)) return { outcome: 'NOT_SUSPENDED' };
    if (!idVerified) return { outcome: 'ID_NOT_VERIFIED' };
    const standing = this.ensure(key);
    if (current === Action.Suspend) {
      const window = reactivationWindowMs(this.policy);
      const used = standing.chancesUsedAt.filter((t) => atMs - t < window).length;
      if (used >= this.policy.reactivation.chances) return { outcome: 'REFER_TO_POLICE' };
      standing.chancesUsedAt.push(atMs);
    }
    return { outcome: 'RESTORED', decision: this.restore(key, msisdn, ReasonCode.IdVerified, atMs) };
  }

  /** Gives back the chances earlier suspensions used: a clearance rules them mistaken. */
  refundChances(key: number): void {
    const standing = this.standings.get(key);
    if (standing) standing.chancesUsedAt = [];
  }

  private ensure(key: number): Standing {
    let standing = this.standings.get(key);
    if (!standing) {
      standing = {
        level: Action.None,
        since: 0,
        chancesUsedAt: [],
        lastReportAt: Number.NEGATIVE_INFINITY,
        attackFlaggedAt: Number.NEGATIVE_INFINITY,
      };
      this.standings.set(key, standing);
    }
    return standing;
  }

  private decision(
    msisdn: Msisdn,
    atMs: number,
    action: Action,
    previous: Action,
    signals: Signal[],
    score: number,
    f: Features,
    reasons?: ReasonCode[],
  ): Decision {
    const strongest = signals[0];
    const windowSec = strongest ? (WINDOW_OF_MEASURE[strongest.measure] ?? DAY_SEC) : DAY_SEC;
    const measures = signals.map((s) => ({ name: s.measure, value: s.value, threshold: s.threshold }));
    return {
      at: atMs,
      msisdn,
      action,
      previous,
      reasons: reasons ?? signals.map((s) => s.code),
      score,
      policy: this.label,
      shadow: this.shadow,
      evidence: {
        summary: measures.map((m) => `${m.name} ${m.value} (threshold ${m.threshold})`).join('; '),
        windowStart: fromSec(f.nowSec - windowSec),
        windowEnd: atMs,
        measures,
        cells: f.cells.map((c) => ({ cell: this.cellName(c.cell), at: fromSec(c.atSec), activity: c.activity })),
      },
    };
  }

  private plain(
    msisdn: Msisdn,
    atMs: number,
    action: Action,
    previous: Action,
    reasons: ReasonCode[],
    score: number,
  ): Decision {
    return {
      at: atMs,
      msisdn,
      action,
      previous,
      reasons,
      score,
      policy: this.label,
      shadow: this.shadow,
      evidence: { summary: reasons.join(', '), windowStart: atMs, windowEnd: atMs, measures: [], cells: [] },
    };
  }
}
