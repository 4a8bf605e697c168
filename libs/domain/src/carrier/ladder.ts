import type { Msisdn } from '../msisdn';
import { fromSec } from './activity-store';
import type { Assessment } from './evaluate';
import { Action, ladderLevel, policyLabel, reactivationWindowMs, type PolicyDocument } from './policy';
import { rulesOf, type Rules } from './rules';
import { ReasonCode } from './signals';

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

/**
 * CONFIRMED_FRAUD: the registry lists the number as police-confirmed fraud,
 * which no re-activation lifts (the engine answers it, not the ladder).
 */
export type ReactivationOutcome =
  'RESTORED' | 'NOT_SUSPENDED' | 'ID_NOT_VERIFIED' | 'REFER_TO_POLICE' | 'CONFIRMED_FRAUD';

/** A stored RESTORE decision of the active ladder, as the one-chance rule reads it back. */
export interface StoredRestore {
  at: number;
  previous: Action;
  reasons: readonly string[];
}

/** Restores that rule a suspension mistaken: they give back the chances earlier suspensions used. */
const MISTAKEN: ReadonlySet<string> = new Set([
  ReasonCode.PoliceCleared,
  ReasonCode.RegistryCleared,
  ReasonCode.AppealUpheld,
]);

/**
 * The re-activation chances a number has used, oldest first, rebuilt from its
 * stored restores and the times of its upheld appeals (at start-up; the live
 * rule is Ladder.reactivate and refundChances). Restoring a suspension after an
 * ID check uses one (a lifted restriction uses none); a mistaken restore
 * (clearance, upheld appeal) or an upheld appeal at the same time or later
 * gives back every chance used before it. An appeal held back by a police
 * confirmation has no RESTORE and is no upheld appeal: it gives nothing back.
 */
export function chancesUsed(restores: readonly StoredRestore[], upheldAppeals: readonly number[]): number[] {
  let refundedUpTo = Number.NEGATIVE_INFINITY;
  for (const r of restores)
    if (r.reasons.some((code) => MISTAKEN.has(code))) refundedUpTo = Math.max(refundedUpTo, r.at);
  for (const at of upheldAppeals) refundedUpTo = Math.max(refundedUpTo, at);
  return restores
    .filter((r) => r.previous === Action.Suspend && r.reasons.includes(ReasonCode.IdVerified) && r.at > refundedUpTo)
    .map((r) => r.at)
    .sort((a, b) => a - b);
}

/**
 * One policy's ladder over all numbers: the state machine alone. It takes the
 * step an assessment supports (never measuring or assessing itself), restores
 * on ID verification, clearance or appeal. Only numbers that ever left NONE
 * have a standing (objects are few: decisions are rare).
 */
export class Ladder {
  private readonly standings = new Map<number, Standing>();
  readonly label: string;
  /** The policy with its optional fields resolved: what the engine measures and assesses with. */
  readonly rules: Rules;

  constructor(
    readonly policy: PolicyDocument,
    readonly shadow: boolean,
    private readonly cellName: (cell: number) => string,
  ) {
    this.label = policyLabel(policy);
    this.rules = rulesOf(policy);
  }

  levelOf(key: number, atMs: number): Action {
    const standing = this.standings.get(key);
    if (!standing) return Action.None;
    const lapses = standing.level === Action.Monitor || standing.level === Action.Warn;
    if (lapses && atMs - standing.since > this.rules.quietResetMs) return Action.None;
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

  /** Our own subscriber, assessed: a decision when the evidence supports a higher step. */
  step(key: number, msisdn: Msisdn, assessment: Assessment, atMs: number): Decision | undefined {
    const current = this.levelOf(key, atMs);
    if (ladderLevel(assessment.action) <= ladderLevel(current)) return undefined;
    const standing = this.ensure(key);
    standing.level = assessment.action;
    standing.since = atMs;
    return this.decision(msisdn, atMs, assessment.action, current, assessment);
  }

  /** A number of another carrier: reported to the administration once its evidence reaches WARN. */
  stepForeign(key: number, msisdn: Msisdn, assessment: Assessment, atMs: number): Decision | undefined {
    if (ladderLevel(assessment.action) < ladderLevel(Action.Warn)) return undefined;
    const standing = this.ensure(key);
    if (atMs - standing.lastReportAt < this.rules.foreignReportEveryMs) return undefined;
    standing.lastReportAt = atMs;
    return this.decision(msisdn, atMs, Action.Report, Action.None, assessment, [ReasonCode.ForeignHarassment]);
  }

  /** A likely false-report attack (see assessReportAttack): a MONITOR decision, at most once a period. */
  flagReportAttack(key: number, msisdn: Msisdn, attack: Assessment, atMs: number): Decision | undefined {
    const standing = this.ensure(key);
    if (atMs - standing.attackFlaggedAt < this.rules.reportAttackEveryMs) return undefined;
    standing.attackFlaggedAt = atMs;
    const current = this.levelOf(key, atMs);
    return this.decision(msisdn, atMs, attack.action, current, attack, [ReasonCode.ReportAttack]);
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
    assessment: Assessment,
    reasons?: ReasonCode[],
  ): Decision {
    const { signals, cells } = assessment;
    const measures = signals.map((s) => ({ name: s.measure, value: s.value, threshold: s.threshold }));
    return {
      at: atMs,
      msisdn,
      action,
      previous,
      reasons: reasons ?? signals.map((s) => s.code),
      score: assessment.score,
      policy: this.label,
      shadow: this.shadow,
      evidence: {
        summary: measures.map((m) => `${m.name} ${m.value} (threshold ${m.threshold})`).join('; '),
        windowStart: fromSec(assessment.nowSec - assessment.windowSec),
        windowEnd: atMs,
        measures,
        cells: cells.map((c) => ({ cell: this.cellName(c.cell), at: fromSec(c.atSec), activity: c.activity })),
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
