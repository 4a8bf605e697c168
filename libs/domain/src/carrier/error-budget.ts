import type { ImageReader, ImageWriter } from './image';
import { MEASURED_SIGNALS, WEIGHED, type ReasonCode } from './signals';

/**
 * The error budget of one ladder (policy.errorBudget): per weighed reason, the
 * RESTRICT and SUSPEND steps it took part in (its actions) and how many of them
 * were later undone as mistakes, over a rolling window of event time. A reason
 * whose mistakes reach `minMistakes` and `share` of its actions is demoted: its
 * weight counts only up to WARN until an operator re-enables it.
 */
export interface ErrorBudgetRules {
  readonly windowDays: number;
  readonly windowMs: number;
  readonly minMistakes: number;
  readonly share: number;
}

/** A reason demoted on one ladder: an output of its own, emitted once when it trips. */
export interface RuleDemotion {
  at: number;
  policy: string;
  shadow: boolean;
  reason: ReasonCode;
  /** Mistakes and actions in the window when it tripped. */
  mistakes: number;
  actions: number;
  windowDays: number;
}

/**
 * A demotion as the carrier stores it and the administration keeps it: when it
 * tripped, on what counts, and its re-enable (null while it is in force).
 */
export interface DemotionRecord {
  policy: string;
  reason: string;
  demotedAt: Date;
  mistakes: number;
  actions: number;
  windowDays: number;
  reenabledAt: Date | null;
  reenabledBy: string | null;
  why: string | null;
}

/** A demoted reason given back its full weight by an operator: its counts start afresh from `at`. */
export interface RuleReenable {
  at: number;
  policy: string;
  shadow: boolean;
  reason: ReasonCode;
}

/** One reason's budget as read at an instant. */
export interface RuleBudgetFigures {
  reason: ReasonCode;
  actions: number;
  mistakes: number;
  /** When it was demoted; undefined: it counts in full. */
  demotedSince?: number;
}

/** Reason codes of the weighed signals by index: a number's cited reasons are a bit mask over them. */
const SIGNAL_CODES: readonly ReasonCode[] = MEASURED_SIGNALS.slice(0, WEIGHED).map((s) => s.code);
const SIGNAL_INDEX: ReadonlyMap<string, number> = new Map(SIGNAL_CODES.map((code, i) => [code, i]));
if (WEIGHED > 31) throw new Error(`error budget: ${WEIGHED} weighed signals do not fit a 31-bit mask`);

/** The index of a weighed reason (-1: not a weighed signal, e.g. DIRECTIVE). */
export function signalIndexOf(reason: string): number {
  return SIGNAL_INDEX.get(reason) ?? -1;
}

/** The bit mask of the weighed reasons among `reasons`. */
export function reasonMask(reasons: readonly string[]): number {
  let mask = 0;
  for (const reason of reasons) {
    const s = SIGNAL_INDEX.get(reason);
    if (s !== undefined) mask |= 1 << s;
  }
  return mask;
}

/**
 * Late events within the gate's allowance come slightly out of order: a count
 * from one instant must not lose times a count from a later instant dropped.
 */
const PRUNE_MARGIN_MS = 86_400_000;

/** Event times in arrival order (about oldest first), dropped from the front as the window moves on. */
class TimeQueue {
  private times: number[] = [];
  private head = 0;

  push(at: number): void {
    this.times.push(at);
  }

  /** How many times are at or after `from` (counted: rare, on a mistake or a listing); older ones are dropped. */
  countFrom(from: number): number {
    const times = this.times;
    const drop = from - PRUNE_MARGIN_MS;
    while (this.head < times.length && times[this.head] < drop) this.head++;
    if (this.head > 64 && this.head * 2 > times.length) {
      this.times = times.slice(this.head);
      this.head = 0;
    }
    let count = 0;
    for (let i = this.head; i < this.times.length; i++) if (this.times[i] >= from) count++;
    return count;
  }

  /** Whether the times one of the two still holds are the last ones of the other's (see countsDifference). */
  endsAlike(other: TimeQueue): boolean {
    const a = this.times.length - this.head;
    const b = other.times.length - other.head;
    const n = Math.min(a, b);
    for (let i = 1; i <= n; i++)
      if (this.times[this.times.length - i] !== other.times[other.times.length - i]) return false;
    return true;
  }

  clear(): void {
    this.times = [];
    this.head = 0;
  }

  /** The times not yet dropped (those before the head are gone for good). */
  writeImage(w: ImageWriter): void {
    w.array(Float64Array.from(this.times.slice(this.head)));
  }

  static readImage(r: ImageReader): TimeQueue {
    const queue = new TimeQueue();
    queue.times = Array.from(r.array((n) => new Float64Array(n)));
    return queue;
  }
}

/**
 * A count a shard's budget holds back (deferTo): every shard's are put in the
 * budgets of all shards in the same order at the end of a round (applyDelta),
 * so each shard's reasons are demoted at the same place, whatever the number of
 * shards. `mistake`: a mistake of each reason in `mask`, else an action.
 */
export interface BudgetDelta {
  shadow: boolean;
  mistake: boolean;
  mask: number;
  at: number;
  trip: boolean;
}

/**
 * One ladder's budget. Compact: per number only the reasons of its current
 * RESTRICT or SUSPEND (a mask), per reason two queues of event times. Fed by
 * the ladder's own decisions (see noteDecision in ladder.ts), live or rebuilt
 * from stored ones, so both count the same.
 */
export class ErrorBudget {
  /** Number → the reasons its current RESTRICT or SUSPEND cited. */
  private readonly cited = new Map<number, number>();
  private readonly actions: TimeQueue[] = SIGNAL_CODES.map(() => new TimeQueue());
  private readonly mistakes: TimeQueue[] = SIGNAL_CODES.map(() => new TimeQueue());
  /** Per reason: counts start here (re-enabled at); -Infinity: never re-enabled. */
  private readonly countsFrom = new Float64Array(WEIGHED).fill(Number.NEGATIVE_INFINITY);
  /** Per reason: demoted since (NaN: not demoted). */
  private readonly demotedAt = new Float64Array(WEIGHED).fill(Number.NaN);
  private mask = 0;
  private pending: RuleDemotion[] = [];
  /** Where counts of reasons go instead of the queues (a shard's budget); undefined: counted at once. */
  private deferred: BudgetDelta[] | undefined;

  constructor(
    readonly rules: ErrorBudgetRules,
    readonly policy: string,
    readonly shadow: boolean,
  ) {}

  /** The demoted reasons, as a mask over the weighed signals (0: none). */
  get demoted(): number {
    return this.mask;
  }

  /** A RESTRICT or SUSPEND of `key` citing `reasons`; `counted`: a step up (a renewal only re-cites). */
  restrictive(key: number, reasons: readonly string[], at: number, counted: boolean): void {
    const cited = reasonMask(reasons);
    if (cited === 0) this.cited.delete(key);
    else this.cited.set(key, cited);
    if (!counted) return;
    if (this.deferred) this.deferred.push({ shadow: this.shadow, mistake: false, mask: cited, at, trip: false });
    else this.countActions(cited, at);
  }

  /**
   * The number left its RESTRICT or SUSPEND; `mistaken`: a restore that rules it
   * a mistake, one for each reason it cited. `trip`: demote a reason whose budget
   * is spent (live; a rebuild takes its demotions from the stored ones).
   */
  released(key: number, at: number, mistaken: boolean, trip: boolean): void {
    const cited = this.cited.get(key);
    if (cited === undefined) return;
    this.cited.delete(key);
    if (!mistaken) return;
    if (this.deferred) this.deferred.push({ shadow: this.shadow, mistake: true, mask: cited, at, trip });
    else this.countMistakes(cited, at, trip);
  }

  /**
   * From now on the counts of reasons (not the numbers' cited reasons) go to `into`, for applyDelta to count them
   * later, in the order of all shards' counts; undefined: counted at once again.
   */
  deferTo(into: BudgetDelta[] | undefined): void {
    this.deferred = into;
  }

  /** Counts what a budget deferred (this one's or another shard's), tripping demotions as restrictive/released do. */
  applyDelta(delta: BudgetDelta): void {
    if (delta.mistake) this.countMistakes(delta.mask, delta.at, delta.trip);
    else this.countActions(delta.mask, delta.at);
  }

  private countActions(cited: number, at: number): void {
    for (let s = 0, bits = cited; bits !== 0; s++, bits >>>= 1)
      if (bits & 1 && at >= this.countsFrom[s]) this.actions[s].push(at);
  }

  private countMistakes(cited: number, at: number, trip: boolean): void {
    for (let s = 0, bits = cited; bits !== 0; s++, bits >>>= 1) {
      if (!(bits & 1) || at < this.countsFrom[s]) continue;
      this.mistakes[s].push(at);
      if (trip && !(this.mask & (1 << s))) this.check(s, at);
    }
  }

  /** The reasons `key`'s current RESTRICT or SUSPEND cited (a mask; undefined: none). */
  citedOf(key: number): number | undefined {
    return this.cited.get(key);
  }

  /** Puts back what citedOf answered (a change taken back). */
  putCited(key: number, cited: number | undefined): void {
    if (cited === undefined) this.cited.delete(key);
    else this.cited.set(key, cited);
  }

  /** The numbers with cited reasons (a shard's budget: its own numbers'). */
  citedNumbers(): number[] {
    return [...this.cited.keys()];
  }

  /**
   * What differs between the carrier's part of two budgets of the same ladder (undefined: nothing): the reasons'
   * counts, re-enables and demotions, not the numbers' cited reasons. Shards count every shard's counts in one order,
   * so their queues hold the same times; a queue may have dropped more of its oldest (countFrom): the shorter one must
   * be the end of the longer one.
   */
  countsDifference(other: ErrorBudget): string | undefined {
    if (this.mask !== other.mask) return `demoted reasons (mask ${this.mask}, ${other.mask})`;
    for (let s = 0; s < WEIGHED; s++) {
      const reason = SIGNAL_CODES[s];
      if (!Object.is(this.demotedAt[s], other.demotedAt[s])) return `when ${reason} was demoted`;
      if (this.countsFrom[s] !== other.countsFrom[s]) return `when ${reason}'s counts start`;
      if (!this.actions[s].endsAlike(other.actions[s])) return `${reason}'s actions`;
      if (!this.mistakes[s].endsAlike(other.mistakes[s])) return `${reason}'s mistakes`;
    }
    if (JSON.stringify(this.pending) !== JSON.stringify(other.pending)) return 'demotions not yet reported';
    return undefined;
  }

  /** Puts back a demotion still in force (start-up). */
  demote(reason: string, since: number): void {
    const s = signalIndexOf(reason);
    if (s < 0) return;
    this.mask |= 1 << s;
    this.demotedAt[s] = since;
  }

  /** Counts of `reason` start afresh from `at` (re-enabled then). */
  startCountsAt(reason: string, at: number): void {
    const s = signalIndexOf(reason);
    if (s < 0 || at <= this.countsFrom[s]) return;
    this.countsFrom[s] = at;
    this.actions[s].clear();
    this.mistakes[s].clear();
  }

  /** An operator gives a demoted reason its full weight back; undefined when it was not demoted. */
  reenable(reason: string, at: number): RuleReenable | undefined {
    const s = signalIndexOf(reason);
    if (s < 0 || !(this.mask & (1 << s))) return undefined;
    this.mask &= ~(1 << s);
    this.demotedAt[s] = Number.NaN;
    this.startCountsAt(reason, at);
    return { at, policy: this.policy, shadow: this.shadow, reason: SIGNAL_CODES[s] };
  }

  /** Demotions tripped since the last call, in the order they tripped. */
  drain(): RuleDemotion[] | undefined {
    if (this.pending.length === 0) return undefined;
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /** Every weighed reason with actions, mistakes or a demotion in the window ending at `at`. */
  figures(at: number, weighed: (s: number) => boolean = () => true): RuleBudgetFigures[] {
    const out: RuleBudgetFigures[] = [];
    for (let s = 0; s < WEIGHED; s++) {
      const from = this.windowStart(s, at);
      const actions = this.actions[s].countFrom(from);
      const mistakes = this.mistakes[s].countFrom(from);
      const demoted = (this.mask & (1 << s)) !== 0;
      if (!demoted && actions === 0 && mistakes === 0 && !weighed(s)) continue;
      out.push({
        reason: SIGNAL_CODES[s],
        actions,
        mistakes,
        ...(demoted ? { demotedSince: this.demotedAt[s] } : {}),
      });
    }
    return out;
  }

  /** The same budget under a policy of the same label (a shadow switched, a policy reloaded). */
  carriedTo(rules: ErrorBudgetRules, shadow: boolean): ErrorBudget {
    const next = new ErrorBudget(rules, this.policy, shadow);
    for (const [key, cited] of this.cited) next.cited.set(key, cited);
    for (let s = 0; s < WEIGHED; s++) {
      next.actions[s] = this.actions[s];
      next.mistakes[s] = this.mistakes[s];
    }
    next.countsFrom.set(this.countsFrom);
    next.demotedAt.set(this.demotedAt);
    next.mask = this.mask;
    next.deferred = this.deferred;
    return next;
  }

  /**
   * Writes the budget (see image.ts): each number's cited reasons, each reason's queues, re-enables and demotions,
   * and the demotions tripped but not yet drained (a review's restore trips one that the next event's result carries).
   */
  writeImage(w: ImageWriter): void {
    w.u32(WEIGHED);
    w.array(Float64Array.from(this.cited.keys()));
    w.array(Int32Array.from(this.cited.values()));
    for (let s = 0; s < WEIGHED; s++) {
      this.actions[s].writeImage(w);
      this.mistakes[s].writeImage(w);
    }
    w.array(this.countsFrom);
    w.array(this.demotedAt);
    w.u32(this.mask);
    w.u32(this.pending.length);
    for (const d of this.pending) {
      w.f64(d.at);
      w.string(d.policy);
      w.u8(d.shadow ? 1 : 0);
      w.string(d.reason);
      w.f64(d.mistakes);
      w.f64(d.actions);
      w.f64(d.windowDays);
    }
  }

  /** Loads what writeImage wrote into this budget, new (nothing counted yet). */
  readImage(r: ImageReader): void {
    const weighed = r.u32();
    if (weighed !== WEIGHED)
      throw new Error(`image: an error budget of ${weighed} reasons, this one weighs ${WEIGHED}`);
    const keys = r.array((n) => new Float64Array(n));
    const masks = r.array((n) => new Int32Array(n));
    if (keys.length !== masks.length) throw new Error('image: an error budget with more numbers than masks');
    this.cited.clear();
    for (let i = 0; i < keys.length; i++) this.cited.set(keys[i], masks[i]);
    for (let s = 0; s < WEIGHED; s++) {
      this.actions[s] = TimeQueue.readImage(r);
      this.mistakes[s] = TimeQueue.readImage(r);
    }
    r.into(this.countsFrom, WEIGHED);
    r.into(this.demotedAt, WEIGHED);
    this.mask = r.u32();
    this.pending = Array.from({ length: r.u32() }, () => ({
      at: r.f64(),
      policy: r.string(),
      shadow: r.u8() === 1,
      reason: r.string() as ReasonCode,
      mistakes: r.f64(),
      actions: r.f64(),
      windowDays: r.f64(),
    }));
  }

  private windowStart(s: number, at: number): number {
    return Math.max(at - this.rules.windowMs, this.countsFrom[s]);
  }

  private check(s: number, at: number): void {
    const from = this.windowStart(s, at);
    const mistakes = this.mistakes[s].countFrom(from);
    const actions = this.actions[s].countFrom(from);
    if (mistakes < this.rules.minMistakes || mistakes < this.rules.share * actions) return;
    this.mask |= 1 << s;
    this.demotedAt[s] = at;
    this.pending.push({
      at,
      policy: this.policy,
      shadow: this.shadow,
      reason: SIGNAL_CODES[s],
      mistakes,
      actions,
      windowDays: this.rules.windowDays,
    });
  }
}
