import type { Msisdn } from '../msisdn';
import { fromSec } from './activity-store';
import {
  ErrorBudget,
  type BudgetDelta,
  type RuleBudgetFigures,
  type RuleDemotion,
  type RuleReenable,
} from './error-budget';
import type { Assessment } from './evaluate';
import type { ImageReader, ImageWriter } from './image';
import { Action, LADDER, ladderLevel, policyLabel, reactivationWindowMs, type PolicyDocument } from './policy';
import { rulesOf, type Rules } from './rules';
import { ReasonCode } from './signals';

export interface DecisionEvidence {
  summary: string;
  windowStart: number;
  windowEnd: number;
  measures: { name: string; value: number; threshold: number }[];
  cells: { cell: string; at: number; activity: 'call' | 'sms' | 'location' }[];
}

/**
 * The term of a RESTRICT or SUSPEND under a policy with `terms`: when it steps
 * down to WARN (TERM_LAPSED) unless new evidence renews it, and how many
 * renewals it has had.
 */
export interface DecisionTerm {
  until: number;
  renewals: number;
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
  /** Set on a RESTRICT or SUSPEND that lapses (policy.terms); absent: it stands until a restore. */
  term?: DecisionTerm;
  /**
   * Set on the RESTRICT that holds a suspension back for a person's review (policy.humanReview): the service opens a
   * review task with it (none for a shadow decision).
   */
  reviewRequested?: true;
}

/** What the review rule reads of a subscriber: whether it is real-name and how long it has been held. */
export interface ReviewHolder {
  readonly activatedAt: number;
  readonly realNameVerified: boolean;
}

/** A person's answer to a review: confirm the suspension, or find it mistaken and restore. */
export type ReviewOutcome = 'SUSPEND' | 'RESTORE';

/** Whether two standings (or their absence) are the same. */
export function sameStanding(a: Standing | undefined, b: Standing | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.level === b.level &&
    a.since === b.since &&
    a.lastReportAt === b.lastReportAt &&
    a.attackFlaggedAt === b.attackFlaggedAt &&
    a.termEnds === b.termEnds &&
    a.renewals === b.renewals &&
    a.reviewSince === b.reviewSince &&
    a.labelledAt === b.labelledAt &&
    a.chancesUsedAt.length === b.chancesUsedAt.length &&
    a.chancesUsedAt.every((t, i) => t === b.chancesUsedAt[i])
  );
}

/** Where a number stands on one policy's ladder. */
/**
 * The step a standing puts its number on at `atMs`: a term that ended is WARN from its end, whether or not the lapse
 * was taken yet (see lapseDue), unless the number is police-confirmed fraud; MONITOR and WARN lapse after
 * `quietResetMs` without new evidence. Ladder.levelOf's rule, also read by the copies of other shards' steps.
 */
export function levelAt(
  standing: Pick<Standing, 'level' | 'since' | 'termEnds'>,
  atMs: number,
  confirmed: boolean,
  quietResetMs: number,
): Action {
  let level = standing.level;
  let since = standing.since;
  if (atMs >= standing.termEnds && !confirmed) {
    level = Action.Warn;
    since = standing.termEnds;
  }
  const lapses = level === Action.Monitor || level === Action.Warn;
  if (lapses && atMs - since > quietResetMs) return Action.None;
  return level;
}

export interface Standing {
  level: Action;
  since: number;
  /** Suspensions restored by ID verification, for the one-chance rule. */
  chancesUsedAt: number[];
  /** Last report of this (foreign) number to the administration. */
  lastReportAt: number;
  attackFlaggedAt: number;
  /** When the RESTRICT or SUSPEND steps down to WARN without new evidence; Infinity: no term. */
  termEnds: number;
  /** Renewals of the current term by new evidence. */
  renewals: number;
  /** When a suspension was held back for a person's review that is still open; undefined: none is open. */
  reviewSince: number | undefined;
  /** The reasons of the decision that put the number on its step (or renewed it there); none at NONE. */
  reasons: readonly ReasonCode[];
  /**
   * The last call of the number to a stranger labelled at call setup (calleeProtection.labelFirst), or its last text
   * to a stranger, which nothing labels; event time, -Infinity: none. Only one since `since` counts: a label given
   * before the number's current step does not.
   */
  labelledAt: number;
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

const RESTRICT_LEVEL = ladderLevel(Action.Restrict);
/** The numbers of one standing in a ladder's image (see Ladder.writeImage). */
const STANDING_FIELDS = 11;

/** The reasons of a step held below RESTRICT until a call to a stranger is labelled (calleeProtection.labelFirst). */
function labelledFirst(assessment: Assessment): ReasonCode[] {
  return [...assessment.signals.map((s) => s.code), ReasonCode.LabelFirst];
}
const NO_REASONS: readonly ReasonCode[] = Object.freeze([]);

/**
 * Restores that rule a suspension mistaken: they give back the chances earlier suspensions used, and count
 * against the error budget of each reason the undone step cited.
 */
export const MISTAKEN: ReadonlySet<string> = new Set([
  ReasonCode.PoliceCleared,
  ReasonCode.RegistryCleared,
  ReasonCode.AppealUpheld,
  ReasonCode.ReviewRejected,
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

/** A decision as the error budget reads it (a live one, or one stored). */
export interface BudgetedDecision {
  at: number;
  action: Action;
  previous: Action;
  reasons: readonly string[];
}

/**
 * What one of a ladder's decisions about our own number does to its error
 * budget: a step up to RESTRICT or SUSPEND is an action of each weighed reason
 * it cites (a renewal only re-cites); a restore releases the number, a mistake
 * of each reason its current step cited when the restore's reason is MISTAKEN;
 * a lapse to WARN releases it without a mistake. The live ladder and the
 * rebuild at start-up (ruleBudgetFrom) both count through this.
 */
export function noteDecision(budget: ErrorBudget, key: number, d: BudgetedDecision, trip: boolean): void {
  if (d.action === Action.Restrict || d.action === Action.Suspend)
    budget.restrictive(key, d.reasons, d.at, ladderLevel(d.previous) < ladderLevel(d.action));
  else if (d.action === Action.Restore)
    budget.released(
      key,
      d.at,
      d.reasons.some((code) => MISTAKEN.has(code)),
      trip,
    );
  else if (d.action === Action.Warn && d.reasons.includes(ReasonCode.TermLapsed))
    budget.released(key, d.at, false, trip);
}

/** A stored decision of one ladder (its policy label and shadow flag), by number key. */
export interface StoredBudgetDecision extends BudgetedDecision {
  key: number;
}

/**
 * One ladder's error budget rebuilt from its stored decisions (at start-up; the
 * live count is the ladder's own): `history` in event-time order holds every
 * decision of the window and, for each number, its latest one before the
 * window (what its current step cited). Demotions in force are put back as
 * stored (a rebuild trips none); a reason re-enabled counts from then on.
 */
export function ruleBudgetFrom(
  budget: ErrorBudget,
  history: readonly StoredBudgetDecision[],
  demoted: readonly { reason: string; since: number }[],
  reenabled: readonly { reason: string; at: number }[],
): ErrorBudget {
  for (const r of reenabled) budget.startCountsAt(r.reason, r.at);
  for (const d of history) noteDecision(budget, d.key, d, false);
  for (const d of demoted) budget.demote(d.reason, d.since);
  return budget;
}

/**
 * One policy's ladder over all numbers: the state machine alone. It takes the
 * step an assessment supports (never measuring or assessing itself), restores
 * on ID verification, clearance or appeal. Only numbers that ever left NONE
 * have a standing (objects are few: decisions are rare).
 */
export class Ladder {
  private readonly standings = new Map<number, Standing>();
  /**
   * Terms still to end: a binary min-heap of (end, number) kept in two arrays,
   * earliest end first (ties by number, so lapses come out in one order). An
   * entry whose standing moved on since (renewed, restored, stepped up) is
   * dropped when it comes up.
   */
  private readonly termEndAt: number[] = [];
  private readonly termKey: number[] = [];
  readonly label: string;
  /** The policy with its optional fields resolved: what the engine measures and assesses with. */
  readonly rules: Rules;
  /** Its reasons' error budget (policy.errorBudget); undefined: none is ever demoted. */
  private budget: ErrorBudget | undefined;

  constructor(
    readonly policy: PolicyDocument,
    readonly shadow: boolean,
    private readonly cellName: (cell: number) => string,
    /** Whether the registry lists the number as CONFIRMED: its terms never lapse. */
    private readonly confirmed: (key: number) => boolean = () => false,
  ) {
    this.label = policyLabel(policy);
    this.rules = rulesOf(policy);
    const budget = this.rules.errorBudget;
    this.budget = budget && new ErrorBudget(budget, this.label, shadow);
  }

  /** The reasons demoted on this ladder, as a mask over the weighed signals (0: none). */
  get demoted(): number {
    return this.budget === undefined ? 0 : this.budget.demoted;
  }

  /** Each weighed reason's budget in the window ending at `atMs`; empty without policy.errorBudget. */
  ruleBudgets(atMs: number): RuleBudgetFigures[] {
    const weights = this.rules.weights;
    return this.budget?.figures(atMs, (s) => weights[s] > 0) ?? [];
  }

  /** Demotions tripped since the last call (the engine puts them in its result). */
  drainDemotions(): RuleDemotion[] | undefined {
    return this.budget?.drain();
  }

  /** Its budget's counts of reasons go to `into` (see ErrorBudget.deferTo); undefined: counted at once. */
  deferBudgetTo(into: BudgetDelta[] | undefined): void {
    this.budget?.deferTo(into);
  }

  /** Counts a deferred count of reasons (ErrorBudget.applyDelta); then drainDemotions has what it tripped. */
  applyBudgetDelta(delta: BudgetDelta): void {
    this.budget?.applyDelta(delta);
  }

  /** An operator gives a demoted reason its full weight back; undefined when it was not demoted here. */
  reenable(reason: string, atMs: number): RuleReenable | undefined {
    return this.budget?.reenable(reason, atMs);
  }

  /**
   * Replaces the budget with one rebuilt from stored decisions and demotions
   * (start-up, see ruleBudgetFrom); nothing without policy.errorBudget.
   */
  rebuildBudget(
    history: readonly StoredBudgetDecision[],
    demoted: readonly { reason: string; since: number }[],
    reenabled: readonly { reason: string; at: number }[],
  ): void {
    const rules = this.rules.errorBudget;
    if (rules)
      this.budget = ruleBudgetFrom(new ErrorBudget(rules, this.label, this.shadow), history, demoted, reenabled);
  }

  levelOf(key: number, atMs: number): Action {
    const standing = this.standings.get(key);
    if (!standing) return Action.None;
    return levelAt(standing, atMs, this.confirmed(key), this.rules.quietResetMs);
  }

  /** The earliest end of a term still to be taken (Infinity: none): engines check it on each event. */
  get nextTermEnd(): number {
    return this.termEndAt.length > 0 ? this.termEndAt[0] : Number.POSITIVE_INFINITY;
  }

  /**
   * Takes every term that ended at or before `atMs` (event time): each steps
   * down to WARN with a TERM_LAPSED decision dated at its end. A number the
   * registry lists as CONFIRMED keeps its step, without a term.
   */
  lapseDue(atMs: number, msisdnOf: (key: number) => Msisdn, out: Decision[]): void {
    while (this.termEndAt.length > 0 && this.termEndAt[0] <= atMs) {
      const end = this.termEndAt[0];
      const key = this.termKey[0];
      this.popTerm();
      const decision = this.lapse(key, msisdnOf(key), end);
      if (decision) out.push(decision);
    }
  }

  /** Takes one number's term if it ended at or before `atMs` (before acting on that number alone). */
  lapseOne(key: number, msisdn: Msisdn, atMs: number): Decision | undefined {
    const standing = this.standings.get(key);
    return standing && standing.termEnds <= atMs ? this.lapse(key, msisdn, standing.termEnds) : undefined;
  }

  standingOf(key: number): Standing | undefined {
    return this.standings.get(key);
  }

  /** A copy of the number's standing, to be put back with putStanding (undefined: it has none). */
  copyOfStanding(key: number): Standing | undefined {
    const standing = this.standings.get(key);
    return standing && { ...standing, chancesUsedAt: [...standing.chancesUsedAt] };
  }

  /** The reasons the number's current RESTRICT or SUSPEND cited, for its error budget (undefined: none). */
  citedOf(key: number): number | undefined {
    return this.budget?.citedOf(key);
  }

  /** Puts back what citedOf answered (a change taken back). */
  putCited(key: number, cited: number | undefined): void {
    this.budget?.putCited(key, cited);
  }

  /** Puts back a copy taken by copyOfStanding. */
  putStanding(key: number, standing: Standing | undefined): void {
    if (standing) {
      this.standings.set(key, { ...standing, chancesUsedAt: [...standing.chancesUsedAt] });
      if (Number.isFinite(standing.termEnds)) this.pushTerm(standing.termEnds, key);
    } else this.standings.delete(key);
  }

  /** The numbers it keeps anything of: a standing, or the reasons their step cited in the error budget. */
  numbers(): number[] {
    return [...new Set([...this.standings.keys(), ...(this.budget?.citedNumbers() ?? [])])];
  }

  /**
   * Takes one number's standing (and its term, still to end) and cited reasons from a ladder of the same policy (a
   * re-shard moves numbers between engines); this ladder must not keep the number yet.
   */
  adoptNumber(from: Ladder, key: number): void {
    if (from.label !== this.label || from.shadow !== this.shadow)
      throw new Error(`ladder: a number moves from ${from.label} to ${this.label}, of another policy or kind`);
    if (this.standings.has(key) || this.citedOf(key) !== undefined)
      throw new Error(`ladder ${this.label}: ${key} stands here already`);
    const standing = from.copyOfStanding(key);
    if (standing) this.putStanding(key, standing);
    const cited = from.citedOf(key);
    if (cited !== undefined) this.putCited(key, cited);
  }

  /** Forgets the standings, terms and cited reasons of the numbers `keep` refuses (the rest of a re-shard). */
  keepNumbers(keep: (key: number) => boolean): void {
    for (const key of this.numbers()) {
      if (keep(key)) continue;
      this.standings.delete(key);
      this.putCited(key, undefined);
    }
    const ends = this.termEndAt.splice(0);
    const keys = this.termKey.splice(0);
    for (let i = 0; i < ends.length; i++) if (keep(keys[i])) this.pushTerm(ends[i], keys[i]);
  }

  /** What differs between the error budgets' carrier-wide counts of two ladders of one policy (undefined: nothing). */
  budgetDifference(other: Ladder): string | undefined {
    if (other.label !== this.label || other.shadow !== this.shadow) return `the ladder (${this.label}, ${other.label})`;
    if (this.budget === undefined || other.budget === undefined)
      return this.budget === other.budget ? undefined : `whether ${this.label} keeps an error budget`;
    const differs = this.budget.countsDifference(other.budget);
    return differs && `${this.label}${this.shadow ? ' (shadow)' : ''}'s error budget: ${differs}`;
  }

  /** The same standings under another policy (a policy switch keeps every number where it is). */
  withPolicy(policy: PolicyDocument, shadow = this.shadow): Ladder {
    const next = new Ladder(policy, shadow, this.cellName, this.confirmed);
    // The same policy on the same kind of ladder keeps its budget and demotions; another starts its own (they are
    // kept under its label and kind: a shadow started from the active ladder counts apart from it).
    if (this.budget && next.rules.errorBudget && next.label === this.label && shadow === this.shadow)
      next.budget = this.budget.carriedTo(next.rules.errorBudget, shadow);
    for (const [key, standing] of this.standings)
      next.standings.set(key, { ...standing, chancesUsedAt: [...standing.chancesUsedAt] });
    // Terms already given stand as they were announced, whatever the new policy's terms.
    // One by one: a spread of a heap of 100,000 terms would overflow the stack.
    for (let i = 0; i < this.termEndAt.length; i++) {
      next.termEndAt.push(this.termEndAt[i]);
      next.termKey.push(this.termKey[i]);
    }
    return next;
  }

  /**
   * Writes the ladder's state (see image.ts): every standing, in the map's order, as a row of numbers (its step and
   * reasons by their place in a list of the words used, an open review's time or NaN: none), the term heap as it is
   * (stale entries included) and the error budget. The policy is the engine's to check; the rest follows from it.
   */
  writeImage(w: ImageWriter): void {
    const words = new Map<string, number>();
    const word = (text: string) => {
      let i = words.get(text);
      if (i === undefined) words.set(text, (i = words.size));
      return i;
    };
    const rows = new Float64Array(this.standings.size * STANDING_FIELDS);
    const chances: number[] = [];
    const reasons: number[] = [];
    let at = 0;
    for (const [key, s] of this.standings) {
      rows.set(
        [
          key,
          word(s.level),
          s.since,
          s.lastReportAt,
          s.attackFlaggedAt,
          s.termEnds,
          s.renewals,
          s.reviewSince ?? Number.NaN,
          s.labelledAt,
          s.chancesUsedAt.length,
          s.reasons.length,
        ],
        at,
      );
      at += STANDING_FIELDS;
      chances.push(...s.chancesUsedAt);
      for (const reason of s.reasons) reasons.push(word(reason));
    }
    w.strings([...words.keys()]);
    w.array(rows);
    w.array(Float64Array.from(chances));
    w.array(Uint32Array.from(reasons));
    w.array(Float64Array.from(this.termEndAt));
    w.array(Float64Array.from(this.termKey));
    w.u8(this.budget ? 1 : 0);
    this.budget?.writeImage(w);
  }

  /** Loads what writeImage wrote into this ladder, new (no standing yet) and of the same policy. */
  readImage(r: ImageReader): void {
    if (this.standings.size !== 0 || this.termEndAt.length !== 0)
      throw new Error('image: a ladder loads only while no number stands on it');
    const words = r.strings();
    const rows = r.array((n) => new Float64Array(n));
    const chances = r.array((n) => new Float64Array(n));
    const reasons = r.array((n) => new Uint32Array(n));
    if (rows.length % STANDING_FIELDS !== 0) throw new Error('image: standings cut short');
    let chance = 0;
    let reason = 0;
    for (let at = 0; at < rows.length; at += STANDING_FIELDS) {
      const chanceCount = rows[at + 9];
      const reasonCount = rows[at + 10];
      const cited = Array.from(reasons.subarray(reason, reason + reasonCount), (i) => words[i] as ReasonCode);
      this.standings.set(rows[at], {
        level: words[rows[at + 1]] as Action,
        since: rows[at + 2],
        lastReportAt: rows[at + 3],
        attackFlaggedAt: rows[at + 4],
        termEnds: rows[at + 5],
        renewals: rows[at + 6],
        reviewSince: Number.isNaN(rows[at + 7]) ? undefined : rows[at + 7],
        labelledAt: rows[at + 8],
        chancesUsedAt: Array.from(chances.subarray(chance, chance + chanceCount)),
        reasons: cited.length === 0 ? NO_REASONS : cited,
      });
      chance += chanceCount;
      reason += reasonCount;
    }
    if (chance !== chances.length || reason !== reasons.length)
      throw new Error('image: the standings do not add up to their chances and reasons');
    const ends = r.array((n) => new Float64Array(n));
    const keys = r.array((n) => new Float64Array(n));
    if (ends.length !== keys.length) throw new Error('image: a term heap with unpaired entries');
    for (let i = 0; i < ends.length; i++) {
      this.termEndAt.push(ends[i]);
      this.termKey.push(keys[i]);
    }
    const budgeted = r.u8() === 1;
    if (budgeted !== (this.budget !== undefined))
      throw new Error(`image: ${this.label} ${budgeted ? 'kept' : 'kept no'} error budget, this policy the other`);
    this.budget?.readImage(r);
  }

  /**
   * Puts a number back where the stored decisions left it (at start-up): the
   * latest decision's step and time, and its term when it has one.
   */
  resume(
    key: number,
    level: Action,
    since: number,
    chancesUsedAt: number[],
    term?: DecisionTerm,
    reasons: readonly ReasonCode[] = [],
  ): void {
    const standing = this.ensure(key);
    standing.level = level === Action.Restore || level === Action.Report ? Action.None : level;
    standing.reasons = standing.level === Action.None ? NO_REASONS : reasons;
    standing.since = since;
    standing.chancesUsedAt = chancesUsedAt;
    const termed = term !== undefined && (standing.level === Action.Restrict || standing.level === Action.Suspend);
    standing.termEnds = termed ? term.until : Number.POSITIVE_INFINITY;
    standing.renewals = termed ? term.renewals : 0;
    if (termed) this.pushTerm(term.until, key);
  }

  /**
   * Puts back a review still open (at start-up, from the open review tasks), when the number still stands where the
   * review left it: restricted, or stepped down to WARN by its term. A number restored or suspended since has none.
   */
  resumeReview(key: number, since: number): boolean {
    const standing = this.standings.get(key);
    if (!standing || (standing.level !== Action.Restrict && standing.level !== Action.Warn)) return false;
    standing.reviewSince = since;
    return true;
  }

  /** Whether a review of the number is open on this ladder. */
  reviewOpen(key: number): boolean {
    return this.standings.get(key)?.reviewSince !== undefined;
  }

  /**
   * A person's review decided: SUSPEND is imposed (REVIEW_CONFIRMED, no term, like a directive). The review is closed
   * either way; a RESTORE is the engine's (a mistaken restore). Undefined when no review was open or nothing moved.
   */
  closeReview(key: number, msisdn: Msisdn, outcome: ReviewOutcome, atMs: number): Decision | undefined {
    const standing = this.standings.get(key);
    if (!standing || standing.reviewSince === undefined) return undefined;
    standing.reviewSince = undefined;
    return outcome === 'SUSPEND'
      ? this.impose(key, msisdn, Action.Suspend, ReasonCode.ReviewConfirmed, atMs)
      : undefined;
  }

  /**
   * Our own subscriber, assessed: a decision when the evidence supports a higher
   * step, or when it supports the current RESTRICT or SUSPEND again while its
   * term runs (a renewal: the term starts afresh, at most `terms.maxRenewals` times). A suspension of a long-held
   * real-name number (`holder`, policy.humanReview) is held back at RESTRICT for a person's review (REVIEW_PENDING);
   * while that review is open, later evidence counts up to RESTRICT and opens no second one.
   */
  step(key: number, msisdn: Msisdn, assessment: Assessment, atMs: number, holder?: ReviewHolder): Decision | undefined {
    const current = this.levelOf(key, atMs);
    const from = ladderLevel(current);
    const labelFirst = this.labelFirstStep(key, from, assessment.action);
    const held =
      labelFirst === undefined && assessment.action === Action.Suspend && this.heldForReview(key, holder, atMs);
    const action = labelFirst ?? (held ? Action.Restrict : assessment.action);
    const to = ladderLevel(action);
    if (to < from) return undefined;
    const opens = held && !this.reviewOpen(key);
    if (to === from) {
      if (from < RESTRICT_LEVEL) return undefined;
      return opens ? this.openReview(key, msisdn, assessment, atMs) : this.renew(key, msisdn, assessment, atMs);
    }
    const standing = this.ensure(key);
    standing.level = action;
    standing.since = atMs;
    // A suspension ends any review: there is nothing left to hold back.
    if (action === Action.Suspend) standing.reviewSince = undefined;
    // A step held for a label says so (LABEL_FIRST after the evidence's reasons), as a held suspension does.
    const decision = opens
      ? this.reviewDecision(standing, msisdn, atMs, current, assessment)
      : this.decision(msisdn, atMs, action, current, assessment, labelFirst && labelledFirst(assessment));
    this.startTerm(key, standing, decision);
    return this.taken(key, standing, decision);
  }

  /**
   * calleeProtection.labelFirst: the step evidence that supports RESTRICT or more takes instead, while none of the
   * number's calls to strangers has been labelled since its current step began (orders never wait: they impose).
   * `fromStep` when the number stands below it, its own step when it stands there already (nothing moves until a
   * call is labelled); undefined when the evidence acts as it is.
   */
  private labelFirstStep(key: number, from: number, action: Action): Action | undefined {
    const protection = this.rules.calleeProtection;
    if (!protection?.labelFirst || from >= RESTRICT_LEVEL || ladderLevel(action) < RESTRICT_LEVEL) return undefined;
    if (this.confirmed(key) || this.labelledSinceStep(key)) return undefined;
    return from < protection.fromLevel ? protection.fromStep : LADDER[from];
  }

  private labelledSinceStep(key: number): boolean {
    const standing = this.standings.get(key);
    return standing !== undefined && standing.labelledAt >= standing.since;
  }

  /**
   * Whether a call of the number to a stranger now would be labelled at call setup and is still needed
   * (calleeProtection.labelFirst: it stands at fromStep or above, below RESTRICT, and has no label at this step yet).
   */
  awaitsLabel(key: number, atMs: number): boolean {
    const protection = this.rules.calleeProtection;
    if (!protection?.labelFirst || this.labelledSinceStep(key) || this.confirmed(key)) return false;
    const level = ladderLevel(this.levelOf(key, atMs));
    return level >= protection.fromLevel && level < RESTRICT_LEVEL;
  }

  /** A call of the number to a stranger was labelled at call setup (see awaitsLabel). */
  noteLabelled(key: number, atMs: number): void {
    const standing = this.standings.get(key);
    if (standing) standing.labelledAt = atMs;
  }

  /**
   * Whether a suspension the evidence supports waits for a person: under a policy with humanReview, never for a
   * number the registry lists as CONFIRMED; always while a review is open; else for a real-name number held at
   * least `humanReview.tenureDays` at the event's time.
   */
  private heldForReview(key: number, holder: ReviewHolder | undefined, atMs: number): boolean {
    const tenure = this.rules.reviewTenureMs;
    if (!Number.isFinite(tenure) || this.confirmed(key)) return false;
    if (this.reviewOpen(key)) return true;
    return holder !== undefined && holder.realNameVerified && atMs - holder.activatedAt >= tenure;
  }

  /** A number already restricted whose evidence now supports a suspension: its review opens, the term unchanged. */
  private openReview(key: number, msisdn: Msisdn, assessment: Assessment, atMs: number): Decision {
    const standing = this.ensure(key);
    const decision = this.reviewDecision(standing, msisdn, atMs, Action.Restrict, assessment);
    if (Number.isFinite(standing.termEnds)) decision.term = { until: standing.termEnds, renewals: standing.renewals };
    return this.taken(key, standing, decision);
  }

  /** The RESTRICT that holds a suspension back: the assessment's reasons, then REVIEW_PENDING; the review opens. */
  private reviewDecision(
    standing: Standing,
    msisdn: Msisdn,
    atMs: number,
    previous: Action,
    assessment: Assessment,
  ): Decision {
    standing.reviewSince = atMs;
    const reasons = [...assessment.signals.map((s) => s.code), ReasonCode.ReviewPending];
    const decision = this.decision(msisdn, atMs, Action.Restrict, previous, assessment, reasons);
    decision.reviewRequested = true;
    return decision;
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
    if (action === Action.Suspend) standing.reviewSince = undefined;
    // An order from outside is lifted from outside: it has no term.
    standing.termEnds = Number.POSITIVE_INFINITY;
    standing.renewals = 0;
    return this.taken(key, standing, this.plain(msisdn, atMs, action, current, [reason], 1));
  }

  /** Restores a restricted or suspended number; a mistaken suspension never uses up a chance. */
  restore(key: number, msisdn: Msisdn, reason: ReasonCode, atMs: number): Decision | undefined {
    const current = this.levelOf(key, atMs);
    if (current === Action.None) {
      const quiet = this.standings.get(key);
      if (quiet) quiet.reviewSince = undefined;
      return undefined;
    }
    const standing = this.ensure(key);
    standing.level = Action.None;
    standing.since = atMs;
    standing.termEnds = Number.POSITIVE_INFINITY;
    standing.renewals = 0;
    standing.reviewSince = undefined;
    standing.reasons = NO_REASONS;
    if (ladderLevel(current) < ladderLevel(Action.Restrict)) return undefined;
    return this.budgeted(key, this.plain(msisdn, atMs, Action.Restore, current, [reason], 0));
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
        termEnds: Number.POSITIVE_INFINITY,
        renewals: 0,
        reviewSince: undefined,
        reasons: NO_REASONS,
        labelledAt: Number.NEGATIVE_INFINITY,
      };
      this.standings.set(key, standing);
    }
    return standing;
  }

  /** The term a new step starts: RESTRICT and SUSPEND under a policy with terms, unless police-confirmed. */
  private startTerm(key: number, standing: Standing, decision: Decision): void {
    const level = standing.level;
    const length =
      level === Action.Suspend
        ? this.rules.suspendTermMs
        : level === Action.Restrict
          ? this.rules.restrictTermMs
          : Number.POSITIVE_INFINITY;
    standing.renewals = 0;
    if (!Number.isFinite(length) || this.confirmed(key)) {
      standing.termEnds = Number.POSITIVE_INFINITY;
      return;
    }
    standing.termEnds = decision.at + length;
    decision.term = { until: standing.termEnds, renewals: 0 };
    this.pushTerm(standing.termEnds, key);
  }

  /**
   * New evidence for the current RESTRICT or SUSPEND in the second half of its term: the term starts afresh. Evidence
   * in the first half is what the running term already answers: it spends no renewal and sends no notice, so that
   * the calls right after a restriction do not use up its renewals within minutes.
   */
  private renew(key: number, msisdn: Msisdn, assessment: Assessment, atMs: number): Decision | undefined {
    const standing = this.standings.get(key);
    if (!standing || !Number.isFinite(standing.termEnds) || standing.renewals >= this.rules.maxRenewals)
      return undefined;
    const level = standing.level;
    const length = level === Action.Suspend ? this.rules.suspendTermMs : this.rules.restrictTermMs;
    if (atMs < standing.termEnds - length / 2 || this.confirmed(key)) return undefined;
    standing.since = atMs;
    standing.renewals++;
    standing.termEnds = atMs + length;
    this.pushTerm(standing.termEnds, key);
    const decision = this.decision(msisdn, atMs, level, level, assessment);
    decision.term = { until: standing.termEnds, renewals: standing.renewals };
    return this.taken(key, standing, decision);
  }

  /** A term that ended: WARN from its end, with TERM_LAPSED (a confirmed number keeps its step, without a term). */
  private lapse(key: number, msisdn: Msisdn, end: number): Decision | undefined {
    const standing = this.standings.get(key);
    if (!standing || standing.termEnds !== end) return undefined;
    const previous = standing.level;
    standing.termEnds = Number.POSITIVE_INFINITY;
    standing.renewals = 0;
    if (this.confirmed(key)) return undefined;
    standing.level = Action.Warn;
    standing.since = end;
    return this.taken(key, standing, this.plain(msisdn, end, Action.Warn, previous, [ReasonCode.TermLapsed], 0));
  }

  /** A decision that leaves our number on a step: its reasons are the step's, counted in the error budget. */
  private taken(key: number, standing: Standing, decision: Decision): Decision {
    standing.reasons = decision.reasons;
    return this.budgeted(key, decision);
  }

  /** A decision about our own number, counted in the error budget on its way out. */
  private budgeted(key: number, decision: Decision): Decision {
    if (this.budget) noteDecision(this.budget, key, decision, true);
    return decision;
  }

  private pushTerm(end: number, key: number): void {
    const at = this.termEndAt;
    const keys = this.termKey;
    let i = at.length;
    at.push(end);
    keys.push(key);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (at[parent] < end || (at[parent] === end && keys[parent] <= key)) break;
      at[i] = at[parent];
      keys[i] = keys[parent];
      i = parent;
    }
    at[i] = end;
    keys[i] = key;
  }

  private popTerm(): void {
    const at = this.termEndAt;
    const keys = this.termKey;
    const end = at.pop() as number;
    const key = keys.pop() as number;
    const n = at.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && (at[right] < at[child] || (at[right] === at[child] && keys[right] < keys[child]))) child = right;
      if (end < at[child] || (end === at[child] && key <= keys[child])) break;
      at[i] = at[child];
      keys[i] = keys[child];
      i = child;
    }
    at[i] = end;
    keys[i] = key;
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
