import type { CellId } from '../cell';
import type { Msisdn } from '../msisdn';
import {
  ActivityStore,
  sameActivity,
  type ActivitySnapshot,
  DEFAULT_LAYOUT,
  BASE_COUNTERS,
  OUT_ANSWERED,
  OUT_CALLED_BACK,
  OUT_HIGH_RISK,
  OUT_HIGH_RISK_DWELL,
  OUT_NEW_CONTACT,
  OUT_SMS,
  toSec,
  type ActivityLayout,
} from './activity-store';
import type { BudgetDelta, RuleBudgetFigures, RuleDemotion, RuleReenable } from './error-budget';
import { assessReportAttack, assessUnder } from './evaluate';
import type {
  CallEvent,
  CarrierEvent,
  CarrierId,
  LocationEvent,
  ReportEvent,
  SmsEvent,
  SubscriberEvent,
  UsageProfile,
} from './events';
import { Directory, type DirectoryEntry } from './directory';
import { emptyFeatures, Measurer, type Features, type RegistryMark, type Subscriber } from './features';
import {
  Ladder,
  sameStanding,
  type Decision,
  type DecisionTerm,
  type ReactivationOutcome,
  type ReviewOutcome,
  type Standing,
  type BudgetedDecision,
} from './ladder';
import { NumberMap } from '../number-map';
import { IMAGE_CHUNK_BYTES, ImageReader, ImageWriter } from './image';
import { Action, ladderLevel, policyLabel as labelOf, type PolicyDocument } from './policy';
import type { Rules } from './rules';
import { COUNTER_OF, COUNTERS, MEASURED_SIGNALS, ReasonCode, type AnySignal, type RecordedActivity } from './signals';

export interface EngineOptions {
  policy: PolicyDocument;
  /** A candidate policy evaluated beside the active one: decisions recorded, never enforced. */
  shadow?: PolicyDocument;
  /** Whose subscribers are ours; undefined: every number with a subscriber record (offline replay). */
  carrier?: CarrierId;
  layout?: ActivityLayout;
}

/**
 * A callee of ours who answered a call from a number at calleeProtection.fromStep
 * or above, with whom it had not been in contact: it is sent a warning (at most
 * one per calleeProtection.warnEveryHours). Active policy only: a shadow warns nobody.
 */
export interface CalleeWarning {
  /** The call's event time. */
  at: number;
  callee: Msisdn;
  caller: Msisdn;
  /** The active policy's label (name@version). */
  policy: string;
  /** The reasons of the caller's step before this call. */
  reasons: readonly ReasonCode[];
}

export interface EngineResult {
  decisions: Decision[];
  /** Callees to warn (calleeProtection); absent: none. */
  calleeWarnings?: CalleeWarning[];
  reactivation?: ReactivationOutcome;
  /** A restore refused because the registry lists the number as CONFIRMED (police-confirmed fraud): nothing changed. */
  confirmedFraud?: true;
  /**
   * A person's review (reviewDecided): DECIDED, the outcome applied; MOVED_ON, the review was no longer open (the
   * number was restored, suspended by an order, or its review superseded meanwhile) and nothing changed.
   */
  review?: 'DECIDED' | 'MOVED_ON';
  /** Reasons whose error budget this step spent (policy.errorBudget): demoted from now on, each reported once. */
  demotions?: RuleDemotion[];
  /** Demoted reasons an operator gave back their full weight (reenableRule). */
  reenabled?: RuleReenable[];
}

/**
 * The engine as one of the shards of a carrier (shard/carrier-shard.ts): it keeps the memory, ladders and callee
 * warnings of the numbers it owns. The directory, the registry's marks, the high-risk cells, the policies and the
 * error budgets' counts are whole on every shard. What the other side of a call or report remembers comes from that
 * side's shard, as ForeignFacts; callee warnings are proposed by the caller's shard and sent by the callee's.
 */
export interface ShardRole {
  owns(key: number): boolean;
}

/** What the shard of the other side of the event in hand remembered just before it. */
export interface ForeignFacts {
  /** A call or text to a number of another shard: the callee had heard from the caller (as far as it remembers). */
  calleeHeard: boolean;
  /** The same: the callee heard from the caller, or called or texted it, within KNOWN_CONTACT_DAYS. */
  calleeInContact: boolean;
  /** A report by a number of another shard: the reporter heard from the reported number within the report window. */
  reporterHeard: boolean;
}

/** A stored decision of one ladder, as the error budget is rebuilt from (event-time order). */
export interface StoredLadderDecision extends BudgetedDecision {
  msisdn: string;
}

/**
 * Everything the engine holds about one number (its standings, directory entry
 * and activity), taken before a change that is made durable elsewhere, so the
 * change can be taken back when it is not.
 */
export interface NumberCheckpoint {
  readonly key: number;
  readonly primary: Standing | undefined;
  readonly shadow: Standing | undefined;
  readonly entry: DirectoryEntry | undefined;
  readonly activity: ActivitySnapshot | undefined;
  /** The reasons its current step cited on each ladder (the error budget's), active then shadow. */
  readonly cited: readonly [number | undefined, number | undefined];
}

const NO_DECISIONS: Decision[] = [];
const SILENT: EngineResult = Object.freeze({ decisions: NO_DECISIONS }) as EngineResult;
const HELD_BY_REGISTRY: EngineResult = Object.freeze({ decisions: NO_DECISIONS, confirmedFraud: true }) as EngineResult;
/** The signals that keep a window counter of their own: what each counts, and its counter. */
const RECORDING = MEASURED_SIGNALS.flatMap((signal, s) => (signal.record && COUNTER_OF[s] >= 0 ? [s] : []));
const RECORDS = RECORDING.map((s) => MEASURED_SIGNALS[s].record as NonNullable<AnySignal['record']>);
// The store counts the r-th of them in counter BASE_COUNTERS + r.
if (RECORDING.some((s, r) => COUNTER_OF[s] !== BASE_COUNTERS + r))
  throw new Error('signals: the counters of the signals that keep one must follow the base counters in order');

/** A ladder as services read it: its policy and where numbers stand, nothing that changes them. */
export interface LadderView {
  readonly label: string;
  readonly policy: PolicyDocument;
  readonly rules: Rules;
  readonly shadow: boolean;
  levelOf(key: number, atMs: number): Action;
  standingOf(key: number): Readonly<Standing> | undefined;
  /** Each weighed reason's error budget in the window ending at `atMs`; empty without policy.errorBudget. */
  ruleBudgets(atMs: number): RuleBudgetFigures[];
}

/**
 * The engine as services outside its apply path read it (call setup,
 * explanations, checks before a change): every change goes through the
 * analysis service's `apply`, which records the decisions it leads to.
 */
export interface EngineView {
  readonly primary: LadderView;
  readonly shadow: LadderView | undefined;
  levelOf(msisdn: Msisdn, atMs: number): Action;
  registryStatusOf(msisdn: Msisdn): RegistryMark | undefined;
  /**
   * Whether `msisdn` and `peer` were in contact (either called or texted the
   * other) within KNOWN_CONTACT_DAYS before `atMs`, as far as the activity
   * memory reaches: the last `layout.outbound` calls and texts each number made
   * and the last `layout.inbound` distinct numbers that reached it. Read-only,
   * allocation-free (call setup asks it for every call of a restricted number).
   */
  knows(msisdn: Msisdn, peer: Msisdn, atMs: number): boolean;
  subscriberOf(msisdn: Msisdn): Readonly<Subscriber & { carrier: CarrierId }> | undefined;
  isConfirmedFraud(msisdn: Msisdn): boolean;
  isHighRiskCell(cell: string, atMs: number): boolean;
  features(msisdn: Msisdn, atMs: number): Features;
}

/**
 * The layout of engine images (saveImage): bump it whenever what any part writes changes. Its first fields (the
 * marker, the format, the policies' labels and the carrier) keep their place in every format: readImageHeader reads
 * them from an image of any format.
 */
export const ENGINE_IMAGE_FORMAT = 5;
/** The first bytes of an engine image: "CAEI". */
const ENGINE_IMAGE_MARK = 0x49454143;

/** What an engine image says of itself, before it is loaded (see readImageHeader). */
export interface EngineImageHeader {
  format: number;
  /** The active policy's label (name@version). */
  primary: string;
  /** The shadow policy's label; absent: it ran without one. */
  shadow?: string;
  carrier?: CarrierId;
  /** The activity layout it was taken with; absent when the format is not the one this engine reads. */
  layout?: ActivityLayout;
}

/** The registry marks by their number in an image. */
const REGISTRY_MARKS: readonly RegistryMark[] = ['SUSPECTED', 'CONFIRMED', 'CLEARED'];

/**
 * The header of an engine image: which policies to load (their documents are the service's) before
 * AnalysisEngine.fromImage, and whether this engine reads its format.
 */
export function readImageHeader(chunks: readonly Uint8Array[]): EngineImageHeader {
  return readHeader(new ImageReader(chunks));
}

function readHeader(r: ImageReader): EngineImageHeader {
  if (r.u32() !== ENGINE_IMAGE_MARK) throw new Error('not an analysis engine image');
  const format = r.u32();
  const primary = r.string();
  const shadow = r.u8() === 1 ? r.string() : undefined;
  const carrier = r.u8() === 1 ? (r.string() as CarrierId) : undefined;
  const header: EngineImageHeader = { format, primary };
  if (shadow !== undefined) header.shadow = shadow;
  if (carrier !== undefined) header.carrier = carrier;
  if (format === ENGINE_IMAGE_FORMAT)
    header.layout = { outbound: r.u32(), inbound: r.u32(), reports: r.u32(), sightings: r.u32() };
  return header;
}

function policies(primary: string, shadow: string | undefined): string {
  return shadow === undefined ? `${primary} without a shadow` : `${primary} with shadow ${shadow}`;
}

function sameLayout(a: ActivityLayout, b: ActivityLayout): boolean {
  return a.outbound === b.outbound && a.inbound === b.inbound && a.reports === b.reports && a.sightings === b.sightings;
}

function sameEntry(a: DirectoryEntry | undefined, b: DirectoryEntry | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.carrier === b.carrier &&
    a.activatedAt === b.activatedAt &&
    a.realNameVerified === b.realNameVerified &&
    a.profile === b.profile &&
    a.attested === b.attested
  );
}

/**
 * Numbers travel as E.164 strings; inside, `+8619112345678` is the number
 * 8619112345678 (read digit by digit: call setup reads keys without allocating).
 */
export function msisdnKey(msisdn: Msisdn): number {
  let key = 0;
  for (let i = 1; i < msisdn.length; i++) key = key * 10 + (msisdn.charCodeAt(i) - 48);
  return key;
}

/** How far back a contact makes two numbers known to each other (knows()). */
export const KNOWN_CONTACT_DAYS = 30;
const KNOWN_CONTACT_SEC = KNOWN_CONTACT_DAYS * 86_400;

function msisdnOfKey(key: number): Msisdn {
  return `+${key}` as Msisdn;
}

/** A result with the demotions its step tripped on either ladder (none: the result itself). */
function withDemotions(result: EngineResult, primary: Ladder, shadow: Ladder | undefined): EngineResult {
  const first = primary.drainDemotions();
  const second = shadow?.drainDemotions();
  if (first === undefined && second === undefined) return result;
  return { ...result, demotions: [...(first ?? []), ...(second ?? [])] };
}

/** An event's result with the lapses taken before it, first. */
function withLapses(lapsed: Decision[], result: EngineResult): EngineResult {
  if (lapsed.length === 0) return result;
  return { ...result, decisions: [...lapsed, ...result.decisions] };
}

/**
 * The call-behaviour analysis of one carrier: pure, deterministic on event time
 * (replaying the same events gives the same decisions), no I/O. Events are fed in
 * time order (the caller buffers late ones); each may yield decisions.
 */
export class AnalysisEngine implements EngineView {
  readonly activity: ActivityStore;
  private readonly measurer: Measurer;
  /** The features of the measurement in hand (measure, assess and step run one after the other). */
  private readonly scratch: Features = emptyFeatures();
  /** The call or text being recorded, for the signals that keep a counter. */
  private readonly recorded: RecordedActivity = {
    atSec: 0,
    isSms: false,
    answered: false,
    durationSec: 0,
    newContact: false,
  };
  private primaryLadder: Ladder;
  private shadowLadder: Ladder | undefined;
  private readonly directory = new Directory();
  /** A directory entry read for the event in hand (measure and step read it, one after the other). */
  private readonly holder: DirectoryEntry = {
    carrier: '' as CarrierId,
    activatedAt: 0,
    realNameVerified: false,
    profile: '' as UsageProfile,
    attested: false,
  };
  private readonly registry = new Map<number, RegistryMark>();
  private readonly cellIds = new Map<string, number>();
  private readonly cellNames: string[] = [];
  /** Cell index → [from, until) during which it is high-risk. */
  private readonly highRisk = new Map<number, { from: number; until: number }>();
  private readonly carrier: CarrierId | undefined;
  /** Each callee's last warning (calleeProtection), event time in ms: few numbers, kept by key. */
  private readonly calleeWarnedAt = new NumberMap<number>(16);
  /** The numbers this engine keeps, as a shard (asShard); undefined: all of them. */
  private shard: ShardRole | undefined;
  /** The other side's memory for the event in hand (a shard's, useForeignFacts). */
  private readonly foreign: ForeignFacts = { calleeHeard: false, calleeInContact: false, reporterHeard: false };
  /** Where a shard's error budgets put their counts of reasons (asShard). */
  private budgetDeltas: BudgetDelta[] | undefined;

  constructor(options: EngineOptions) {
    this.carrier = options.carrier;
    this.activity = new ActivityStore(options.layout ?? DEFAULT_LAYOUT, COUNTERS);
    this.measurer = new Measurer(this.activity);
    const name = (cell: number) => this.cellNames[cell] ?? '';
    const confirmed = (key: number) => this.registry.get(key) === 'CONFIRMED';
    this.primaryLadder = new Ladder(options.policy, false, name, confirmed);
    this.shadowLadder = options.shadow ? new Ladder(options.shadow, true, name, confirmed) : undefined;
  }

  /**
   * An engine that goes on exactly where the one that saved `chunks` (saveImage) stood. `options` name the policies
   * the image was taken under (their documents: the image holds only their labels), its carrier, and its layout or
   * none; a mismatch, or an image of another format, throws.
   */
  static fromImage(options: EngineOptions, chunks: readonly Uint8Array[]): AnalysisEngine {
    const r = new ImageReader(chunks);
    const header = readHeader(r);
    if (header.format !== ENGINE_IMAGE_FORMAT || header.layout === undefined)
      throw new Error(`engine image of format ${header.format}: this engine reads format ${ENGINE_IMAGE_FORMAT}`);
    const primary = labelOf(options.policy);
    const shadow = options.shadow && labelOf(options.shadow);
    if (primary !== header.primary || shadow !== header.shadow)
      throw new Error(
        `engine image taken under ${policies(header.primary, header.shadow)}, ` +
          `not under the options' ${policies(primary, shadow)}`,
      );
    if (options.carrier !== header.carrier)
      throw new Error(`engine image of carrier ${header.carrier ?? '(every)'}, not ${options.carrier ?? '(every)'}`);
    if (options.layout !== undefined && !sameLayout(options.layout, header.layout))
      throw new Error(`engine image with activity layout ${JSON.stringify(header.layout)}, not the options' one`);
    const engine = new AnalysisEngine({ ...options, layout: header.layout });
    engine.readState(r);
    r.end();
    return engine;
  }

  /**
   * Everything the engine holds that decides what it does next, as chunks of at most `chunkBytes` (a consistent cut:
   * it runs between two calls). A header first (see readImageHeader), then each part's own image: the registry
   * marks, cells, high-risk cells, callee warnings, directory, activity and ladders. Scratch state (the event in
   * hand) and indexes the columns rebuild are left out. Measured: about 355 bytes a subscriber (the population
   * fixture, 20,000 subscribers all active over three days, seed 1, default@4 with shadow default@3; 7.1 MB, saved in
   * 9 ms; 459 bytes in format 1).
   */
  saveImage(chunkBytes = IMAGE_CHUNK_BYTES): Uint8Array[] {
    const w = new ImageWriter(chunkBytes);
    w.u32(ENGINE_IMAGE_MARK);
    w.u32(ENGINE_IMAGE_FORMAT);
    w.string(this.primaryLadder.label);
    for (const text of [this.shadowLadder?.label, this.carrier]) {
      w.u8(text === undefined ? 0 : 1);
      if (text !== undefined) w.string(text);
    }
    const { outbound, inbound, reports, sightings } = this.activity.layout;
    for (const size of [outbound, inbound, reports, sightings]) w.u32(size);
    this.writeState(w);
    return w.finish();
  }

  get primary(): Ladder {
    return this.primaryLadder;
  }

  get shadow(): Ladder | undefined {
    return this.shadowLadder;
  }

  /**
   * Switches policies at run time: every number keeps its step on the active
   * ladder; a new shadow starts from the active ladder's steps.
   */
  usePolicies(policy: PolicyDocument, shadow?: PolicyDocument): void {
    this.primaryLadder = this.primaryLadder.withPolicy(policy);
    this.shadowLadder = shadow ? (this.shadowLadder ?? this.primaryLadder).withPolicy(shadow, true) : undefined;
    this.deferBudgets();
  }

  /**
   * From now on this engine is a shard of its carrier (see ShardRole): it acts on the numbers `role` owns, reads the
   * other side of an event from useForeignFacts, proposes callee warnings that the callee's shard sends
   * (admitCalleeWarning), and holds its error budgets' counts back (takeBudgetDeltas, applyBudgetDelta).
   */
  asShard(role: ShardRole): void {
    this.shard = role;
    this.budgetDeltas = [];
    this.deferBudgets();
  }

  /** Whether this engine keeps `msisdn` (always, unless it is a shard). */
  owns(msisdn: Msisdn): boolean {
    return this.shard === undefined || this.shard.owns(msisdnKey(msisdn));
  }

  /** The other side's memory for the next event (a shard's: see ForeignFacts); read by that event alone. */
  useForeignFacts(facts: ForeignFacts): void {
    this.foreign.calleeHeard = facts.calleeHeard;
    this.foreign.calleeInContact = facts.calleeInContact;
    this.foreign.reporterHeard = facts.reporterHeard;
  }

  /** The counts of reasons held back since the last call (a shard's), in the order they were made. */
  takeBudgetDeltas(): BudgetDelta[] {
    return this.budgetDeltas?.splice(0) ?? [];
  }

  /** Counts one shard's held-back count (every shard, the same ones in the same order); answers what it demoted. */
  applyBudgetDelta(delta: BudgetDelta): RuleDemotion[] | undefined {
    const ladder = delta.shadow ? this.shadowLadder : this.primaryLadder;
    if (ladder === undefined) return undefined;
    ladder.applyBudgetDelta(delta);
    return ladder.drainDemotions();
  }

  /**
   * A shard's callee warning proposed by the caller's shard (an EngineResult's calleeWarnings, on a shard): sent
   * unless the callee was warned within calleeProtection.warnEveryHours. Proposals come in the order of their calls.
   */
  admitCalleeWarning(warning: CalleeWarning): boolean {
    const protection = this.primaryLadder.rules.calleeProtection;
    const key = msisdnKey(warning.callee);
    const warnedAt = this.calleeWarnedAt.get(key);
    if (protection === undefined || (warnedAt !== undefined && warning.at - warnedAt < protection.warnEveryMs))
      return false;
    this.calleeWarnedAt.set(key, warning.at);
    return true;
  }

  private deferBudgets(): void {
    this.primaryLadder.deferBudgetTo(this.budgetDeltas);
    this.shadowLadder?.deferBudgetTo(this.budgetDeltas);
  }

  /** Whether `key` is a subscriber of this engine's carrier (of any carrier, without one), as the directory stands. */
  isOursKey(key: number): boolean {
    return this.isOwn(key);
  }

  /** Whether a subscriber record of `carrier` makes its number ours. */
  recordIsOurs(carrier: CarrierId): boolean {
    return this.carrier === undefined || carrier === this.carrier;
  }

  /**
   * The numbers this engine keeps records of: activity, or a standing or cited reasons on either ladder. A shard keeps
   * its partition's alone. Callee warnings are left out: start-up may load a callee's last warning on every shard, and
   * only the callee's shard reads it.
   */
  keptNumbers(): Set<number> {
    const keys = new Set(this.activity.keys());
    for (const key of this.primaryLadder.numbers()) keys.add(key);
    for (const key of this.shadowLadder?.numbers() ?? []) keys.add(key);
    return keys;
  }

  /**
   * Forgets every record of the numbers `keep` refuses: their activity, standings and terms, cited reasons and last
   * callee warnings. What is the carrier's (directory, registry marks, cells, policies, the error budgets' counts)
   * stays. With adoptNumbers, how a re-shard makes a new shard (shard/reshard.ts).
   */
  keepNumbers(keep: (key: number) => boolean): void {
    this.activity.evict(Number.POSITIVE_INFINITY, keep);
    this.primaryLadder.keepNumbers(keep);
    this.shadowLadder?.keepNumbers(keep);
    this.calleeWarnedAt.deleteWhere((key) => !keep(key));
  }

  /**
   * Takes the records `from` keeps of the numbers `take` picks (a re-shard: `from` is an old shard, this a new one,
   * both after the same log entry, of the same policies and layout): each number's activity (its cells renamed to
   * this engine's), its standing, term and cited reasons on each ladder, and its last callee warning, exactly as they
   * stand there. This engine must keep none of them yet. Answers how many numbers it took.
   */
  adoptNumbers(from: AnalysisEngine, take: (key: number) => boolean): number {
    if (from === this) throw new Error('an engine adopts numbers from another engine');
    const primary = this.primaryLadder;
    const shadow = this.shadowLadder;
    if (from.primaryLadder.label !== primary.label || from.shadowLadder?.label !== shadow?.label)
      throw new Error(
        `numbers of an engine under ${policies(from.primaryLadder.label, from.shadowLadder?.label)} ` +
          `go to one under ${policies(primary.label, shadow?.label)}`,
      );
    const cellOf = (cell: number) => {
      const name = from.cellNames[cell];
      return name === undefined ? -1 : this.cellIndex(name);
    };
    let taken = 0;
    for (const key of from.keptNumbers()) {
      if (!take(key)) continue;
      if (from.activity.slotOf(key) >= 0) this.activity.adopt(from.activity, key, cellOf);
      primary.adoptNumber(from.primaryLadder, key);
      if (from.shadowLadder) shadow?.adoptNumber(from.shadowLadder, key);
      taken++;
    }
    for (const [key, at] of from.calleeWarnedAt) if (take(key)) this.calleeWarnedAt.set(key, at);
    return taken;
  }

  /**
   * What differs between the carrier's own state in this engine and in `other` (undefined: nothing): the carrier,
   * the activity layout, the policies and their error budgets' counts and demotions, the registry's marks, the
   * high-risk cells and the directory. Every shard of a carrier holds that whole, the same after the same log entry.
   */
  carrierDifference(other: AnalysisEngine): string | undefined {
    if (this.carrier !== other.carrier)
      return `the carrier (${this.carrier ?? '(every)'}, ${other.carrier ?? '(every)'})`;
    if (!sameLayout(this.activity.layout, other.activity.layout)) return 'the activity layout';
    if ((this.shadowLadder === undefined) !== (other.shadowLadder === undefined)) return 'whether a shadow runs';
    const budgets =
      this.primaryLadder.budgetDifference(other.primaryLadder) ??
      (this.shadowLadder && other.shadowLadder && this.shadowLadder.budgetDifference(other.shadowLadder));
    if (budgets) return budgets;
    if (this.registry.size !== other.registry.size) return 'the registry marks';
    for (const [key, mark] of this.registry)
      if (other.registry.get(key) !== mark) return `the registry mark of +${key}`;
    const cells = this.highRiskByName();
    const others = other.highRiskByName();
    if (cells.size !== others.size) return 'the high-risk cells';
    for (const [cell, window] of cells) if (others.get(cell) !== window) return `high-risk cell ${cell}`;
    if (this.directory.size !== other.directory.size) return 'the directory';
    for (const key of this.directory.keys())
      if (!sameEntry(this.directory.get(key), other.directory.get(key))) return `the directory entry of +${key}`;
    return undefined;
  }

  /** The high-risk cells by name (each engine numbers cells its own way), each with its window. */
  private highRiskByName(): Map<string, string> {
    return new Map([...this.highRisk].map(([cell, { from, until }]) => [this.cellNames[cell], `${from}..${until}`]));
  }

  /** How far back a report looks for the call that corroborates it, in seconds (the active policy's). */
  get reportWindowSec(): number {
    return this.primaryLadder.rules.thresholds.corroboratedReports.days * 86_400;
  }

  /** Whether this engine is a shard that does not keep `key`. */
  private notMine(key: number): boolean {
    return this.shard !== undefined && !this.shard.owns(key);
  }

  /** Puts a number back on its step from stored decisions (start-up), with the term and reasons of the latest one. */
  resume(
    msisdn: Msisdn,
    level: Action,
    since: number,
    chancesUsedAt: number[] = [],
    term?: DecisionTerm,
    reasons?: readonly ReasonCode[],
  ): void {
    this.primaryLadder.resume(msisdnKey(msisdn), level, since, chancesUsedAt, term, reasons);
  }

  /** Loads a callee's last warning without warning again (start-up: the warning was sent before). */
  knowCalleeWarned(callee: Msisdn, atMs: number): void {
    const key = msisdnKey(callee);
    const known = this.calleeWarnedAt.get(key);
    if (known === undefined || known < atMs) this.calleeWarnedAt.set(key, atMs);
  }

  /**
   * Puts back a review still open (start-up, from the open review tasks), opened at `since`; false when the number
   * has moved on since (restored or suspended) and has none.
   */
  resumeReview(msisdn: Msisdn, since: number): boolean {
    return this.primaryLadder.resumeReview(msisdnKey(msisdn), since);
  }

  /**
   * A person decided the review of a suspension held back (policy.humanReview): SUSPEND imposes it (REVIEW_CONFIRMED,
   * no term); RESTORE restores the number as a mistake (REVIEW_REJECTED: the chances used come back, the evidence is
   * forgotten). The review closes either way. When the active ladder has no open review of the number (opened at
   * `openedAt`, when given), it moved on: nothing changes and the answer says MOVED_ON; so does a RESTORE of a number
   * the registry lists as CONFIRMED (the review closes, the police's confirmation stands).
   */
  reviewDecided(msisdn: Msisdn, outcome: ReviewOutcome, atMs: number, openedAt?: number): EngineResult {
    if (this.notMine(msisdnKey(msisdn))) return SILENT;
    const lapsed = this.lapseOne(msisdn, atMs);
    const key = msisdnKey(msisdn);
    const since = this.primaryLadder.standingOf(key)?.reviewSince;
    let result: EngineResult;
    if (since === undefined || (openedAt !== undefined && since !== openedAt))
      result = { ...SILENT, review: 'MOVED_ON' };
    else if (outcome === 'SUSPEND')
      result = { ...this.collect((ladder) => ladder.closeReview(key, msisdn, outcome, atMs)), review: 'DECIDED' };
    else {
      this.primaryLadder.closeReview(key, msisdn, outcome, atMs);
      this.shadowLadder?.closeReview(key, msisdn, outcome, atMs);
      // The police confirmed fraud meanwhile: their word stands, no review restores the number.
      result = this.isConfirmedFraud(msisdn)
        ? { ...HELD_BY_REGISTRY, review: 'MOVED_ON' }
        : { ...this.restore(msisdn, ReasonCode.ReviewRejected, atMs, true), review: 'DECIDED' };
    }
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  /** Loads a registry status without acting on it (start-up: the decisions were taken before). */
  knowRegistryStatus(msisdn: Msisdn, status: RegistryMark): void {
    this.registry.set(msisdnKey(msisdn), status);
  }

  /**
   * One event, in time order. Its time is the engine's clock: terms that ended
   * by then lapse first (TERM_LAPSED, dated at their end), so a replay of the
   * same events lapses the same terms at the same place.
   */
  process(event: CarrierEvent): EngineResult {
    if (event.type === 'subscriber') {
      this.register(event);
      return SILENT;
    }
    const lapsed = this.lapseDue(event.at);
    const result = this.processTimed(event);
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  /**
   * An operator gives a demoted reason its full weight back on the ladders that
   * run `policyLabel`: its counts start afresh from `atMs`. `reenabled` is empty
   * when the reason was not demoted there.
   */
  reenableRule(policyLabel: string, reason: string, atMs: number): EngineResult {
    const reenabled: RuleReenable[] = [];
    for (const ladder of [this.primaryLadder, this.shadowLadder]) {
      if (ladder?.label !== policyLabel) continue;
      const done = ladder.reenable(reason, atMs);
      if (done) reenabled.push(done);
    }
    return { decisions: NO_DECISIONS, reenabled };
  }

  /**
   * Puts one ladder's error budget back from its stored decisions and demotions
   * (start-up): see ruleBudgetFrom. `history`: the ladder's decisions of the
   * window and each number's latest one before it, in event-time order.
   */
  rebuildBudget(
    policyLabel: string,
    shadow: boolean,
    history: readonly StoredLadderDecision[],
    demoted: readonly { reason: string; since: number }[],
    reenabled: readonly { reason: string; at: number }[],
  ): void {
    const ladder = shadow ? this.shadowLadder : this.primaryLadder;
    // The policies may have switched while the history was read: it is that policy's alone.
    if (ladder?.label !== policyLabel) return;
    ladder.rebuildBudget(
      history.map((d) => ({ ...d, key: msisdnKey(d.msisdn as Msisdn) })),
      demoted,
      reenabled,
    );
    this.deferBudgets();
  }

  private processTimed(event: Exclude<CarrierEvent, SubscriberEvent>): EngineResult {
    switch (event.type) {
      case 'high_risk_cell': {
        const cell = this.cellIndex(event.cell);
        if (event.removed) this.highRisk.delete(cell);
        else this.highRisk.set(cell, { from: event.at, until: event.until ?? Number.POSITIVE_INFINITY });
        return SILENT;
      }
      case 'call':
      case 'sms':
        return this.communication(event);
      case 'location':
        return this.location(event);
      case 'report':
        return this.report(event);
      case 'reactivation':
        return this.reactivation(event.msisdn, event.idVerified, event.at);
      case 'police_clear':
        if (this.notMine(msisdnKey(event.msisdn))) return SILENT;
        return this.restore(event.msisdn, ReasonCode.PoliceCleared, event.at, true);
    }
  }

  /** The registry's status of a number changed (from its change feed). */
  registryChanged(msisdn: Msisdn, status: RegistryMark | 'NOT_LISTED', atMs: number): EngineResult {
    const lapsed = this.lapseOne(msisdn, atMs);
    const result = this.applyRegistryChange(msisdn, status, atMs);
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  private applyRegistryChange(msisdn: Msisdn, status: RegistryMark | 'NOT_LISTED', atMs: number): EngineResult {
    const key = msisdnKey(msisdn);
    if (status === 'NOT_LISTED') this.registry.delete(key);
    else this.registry.set(key, status);
    if (!this.isOwn(key) || this.notMine(key)) return SILENT;
    if (status === 'CLEARED') return this.restore(msisdn, ReasonCode.RegistryCleared, atMs, true);
    if (status === 'CONFIRMED') return this.evaluate(key, msisdn, atMs);
    return SILENT;
  }

  /**
   * Police confirmed fraud on the number in the registry. While that stands, no
   * carrier path restores it (re-activation, upheld appeal, RESTORE directive) and
   * no declaration changes its profile: only the registry's own change (a police
   * clearance, CLEARED) lifts it. Call setup blocks it whatever the ladder says.
   */
  isConfirmedFraud(msisdn: Msisdn): boolean {
    return this.registry.get(msisdnKey(msisdn)) === 'CONFIRMED';
  }

  /** A directive from the administration (SUSPEND, RESTORE). */
  directive(msisdn: Msisdn, action: Action.Suspend | Action.Restore, atMs: number): EngineResult {
    if (this.notMine(msisdnKey(msisdn))) return SILENT;
    if (action === Action.Suspend) return this.impose(msisdn, Action.Suspend, ReasonCode.Directive, atMs);
    const lapsed = this.lapseOne(msisdn, atMs);
    const result = this.restore(msisdn, ReasonCode.AppealUpheld, atMs, true);
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  /**
   * A step imposed from outside the analysis, for `reason`, on each ladder (the administration's SUSPEND order is
   * one): taken when it is higher than where the number stands.
   */
  impose(msisdn: Msisdn, action: Action, reason: ReasonCode, atMs: number): EngineResult {
    const key = msisdnKey(msisdn);
    if (this.notMine(key)) return SILENT;
    const lapsed = this.lapseOne(msisdn, atMs);
    const result = this.collect((ladder) => ladder.impose(key, msisdn, action, reason, atMs));
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  /**
   * A review the administration asked for: our subscriber measured now, with a
   * decision when the evidence supports a higher step (as any event would).
   */
  review(msisdn: Msisdn, atMs: number): EngineResult {
    const key = msisdnKey(msisdn);
    if (this.notMine(key)) return SILENT;
    const lapsed = this.lapseOne(msisdn, atMs);
    const result = this.isOwn(key) ? this.evaluate(key, msisdn, atMs) : SILENT;
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  /**
   * Replaces the whole high-risk cell list (the administration's, pushed down
   * on every change): each cell is high-risk from `from` until `until`. Later
   * events are judged by it; it decides nothing by itself.
   */
  setHighRiskCells(cells: readonly { cell: CellId; from: number; until: number }[]): EngineResult {
    this.highRisk.clear();
    for (const { cell, from, until } of cells) this.highRisk.set(this.cellIndex(cell), { from, until });
    return SILENT;
  }

  /**
   * An attested usage profile (DeclareProfile) for one of our subscribers: later
   * analysis scales its volume thresholds by the profile's multiplier. Decisions
   * already taken stay; the next evaluation uses the new profile.
   */
  declareProfile(msisdn: Msisdn, profile: UsageProfile): EngineResult {
    const key = msisdnKey(msisdn);
    if (this.isOwn(key)) this.directory.attest(key, profile);
    return SILENT;
  }

  /** An upheld appeal restores like a clearance: the suspension was a mistake. */
  appealUpheld(msisdn: Msisdn, atMs: number): EngineResult {
    if (this.notMine(msisdnKey(msisdn))) return SILENT;
    const lapsed = this.lapseOne(msisdn, atMs);
    const result = this.restore(msisdn, ReasonCode.AppealUpheld, atMs, true);
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  reactivation(msisdn: Msisdn, idVerified: boolean, atMs: number): EngineResult {
    if (this.notMine(msisdnKey(msisdn))) return SILENT;
    const lapsed = this.lapseOne(msisdn, atMs);
    const result = this.reactivate(msisdn, idVerified, atMs);
    return this.budgeted(lapsed === undefined ? result : withLapses(lapsed, result));
  }

  private reactivate(msisdn: Msisdn, idVerified: boolean, atMs: number): EngineResult {
    if (this.isConfirmedFraud(msisdn))
      return { decisions: NO_DECISIONS, reactivation: 'CONFIRMED_FRAUD', confirmedFraud: true };
    const key = msisdnKey(msisdn);
    const primary = this.primary.reactivate(key, msisdn, idVerified, atMs);
    const shadow = this.shadow?.reactivate(key, msisdn, idVerified, atMs);
    const decisions = [primary.decision, shadow?.decision].filter((d): d is Decision => d !== undefined);
    if (primary.decision) this.activity.forget(key);
    return { decisions, reactivation: primary.outcome };
  }

  /** The number as it stands now, to compare with a later checkpoint or to go back to. */
  checkpoint(msisdn: Msisdn): NumberCheckpoint {
    return this.checkpointOf(msisdnKey(msisdn));
  }

  /** Whether nothing about the number changed between two checkpoints. */
  unchangedSince(a: NumberCheckpoint, b: NumberCheckpoint): boolean {
    return (
      a.key === b.key &&
      sameStanding(a.primary, b.primary) &&
      sameStanding(a.shadow, b.shadow) &&
      sameEntry(a.entry, b.entry) &&
      sameActivity(a.activity, b.activity)
    );
  }

  /**
   * Takes a number back to `before` if it still stands as it did at `after` (the
   * change between them was not made durable); answers false, changing nothing,
   * when something else changed it since.
   */
  rollBack(before: NumberCheckpoint, after: NumberCheckpoint): boolean {
    if (!this.unchangedSince(after, this.checkpointOf(after.key))) return false;
    this.primary.putStanding(before.key, before.primary);
    this.shadow?.putStanding(before.key, before.shadow);
    this.primary.putCited(before.key, before.cited[0]);
    this.shadow?.putCited(before.key, before.cited[1]);
    if (before.entry) this.directory.set(before.key, before.entry);
    else this.directory.delete(before.key);
    if (before.activity && after.activity?.slot === before.activity.slot) this.activity.restore(before.activity);
    return true;
  }

  /** The number's current step on the active policy's ladder. */
  levelOf(msisdn: Msisdn, atMs: number): Action {
    return this.primary.levelOf(msisdnKey(msisdn), atMs);
  }

  registryStatusOf(msisdn: Msisdn): RegistryMark | undefined {
    return this.registry.get(msisdnKey(msisdn));
  }

  /**
   * The number's own memory of its contacts: each peer it called or texted among its last calls and texts, or that
   * reached it, with the latest time (seconds). Call setup on the other shards judges the number from it (the own
   * side of knows()); empty when the number has no activity here.
   */
  contactsOf(msisdn: Msisdn): [peer: number, atSec: number][] {
    const slot = this.activity.slotOf(msisdnKey(msisdn));
    if (slot < 0) return [];
    const { outbound, inbound } = this.activity.layout;
    const peers = new Float64Array(Math.max(outbound, inbound));
    const atSec = new Uint32Array(peers.length);
    const latest = new Map<number, number>();
    const take = (count: number) => {
      for (let i = 0; i < count; i++) latest.set(peers[i], Math.max(latest.get(peers[i]) ?? 0, atSec[i]));
    };
    take(this.activity.outboundEntries(slot, peers, atSec));
    take(this.activity.inboundEntries(slot, peers, atSec));
    return [...latest];
  }

  /**
   * On a shard, of a peer another shard keeps, only this side's memory answers (the number called the peer, or heard
   * from it): the peer's own memory of the number is on its shard, and nothing of it is asked at call setup.
   */
  knows(msisdn: Msisdn, peer: Msisdn, atMs: number): boolean {
    return this.inContact(msisdnKey(msisdn), msisdnKey(peer), atMs, false);
  }

  /**
   * Whether either number called or texted the other within KNOWN_CONTACT_DAYS before `atMs` (call setup's rule). On
   * a shard that does not keep `peerKey` (the callee of the call in hand), the callee's side is its shard's word
   * (`foreign`: the fact of the event being applied), or unknown outside the apply path.
   */
  private inContact(key: number, peerKey: number, atMs: number, foreign = true): boolean {
    const since = toSec(atMs) - KNOWN_CONTACT_SEC;
    // Its own side: it called the peer, or heard from it.
    if (this.notMine(peerKey))
      return (
        this.outboundSince(key, peerKey, since) ||
        this.reached(peerKey, key, since, false) ||
        (foreign && this.foreign.calleeInContact)
      );
    return this.reached(key, peerKey, since, true) || this.reached(peerKey, key, since, true);
  }

  /**
   * Whether `from` called or texted `to` since `sinceSec`: in `to`'s memory of who reached it, and, with
   * `callerSide`, in `from`'s own last calls and texts (the only memory there is of a callee on another network).
   */
  private reached(fromKey: number, toKey: number, sinceSec: number, callerSide: boolean): boolean {
    const toSlot = this.activity.slotOf(toKey);
    if (toSlot >= 0 && this.activity.heardFrom(toSlot, fromKey, sinceSec)) return true;
    return callerSide && this.outboundSince(fromKey, toKey, sinceSec);
  }

  /** Whether `from` called or texted `to` since `sinceSec`, in `from`'s own last calls and texts. */
  private outboundSince(fromKey: number, toKey: number, sinceSec: number): boolean {
    const fromSlot = this.activity.slotOf(fromKey);
    return fromSlot >= 0 && this.activity.findOutbound(fromSlot, toKey, sinceSec) >= 0;
  }

  subscriberOf(msisdn: Msisdn): (Subscriber & { carrier: CarrierId }) | undefined {
    return this.directory.get(msisdnKey(msisdn));
  }

  isHighRiskCell(cell: string, atMs: number): boolean {
    const index = this.cellIds.get(cell);
    return index !== undefined && this.highRiskAt(index, atMs);
  }

  /** Frees the activity of numbers idle since `idleSinceMs`, except numbers on a ladder step. */
  evictIdle(idleSinceMs: number): number {
    // A warning older than the period can hold back no warning from now on.
    const warnEveryMs = this.primaryLadder.rules.calleeProtection?.warnEveryMs ?? 0;
    this.calleeWarnedAt.deleteWhere((_key, at) => at + warnEveryMs < idleSinceMs);
    return this.activity.evict(toSec(idleSinceMs), (key) => this.primary.levelOf(key, idleSinceMs) !== Action.None);
  }

  /** Measures a number now with the active policy (for explanations and tests): a fresh object. */
  features(msisdn: Msisdn, atMs: number): Features {
    return this.measureInto(msisdnKey(msisdn), atMs, this.primary.rules, emptyFeatures());
  }

  private writeState(w: ImageWriter): void {
    const marks = new Float64Array(this.registry.size);
    const kinds = new Uint8Array(this.registry.size);
    let i = 0;
    for (const [key, mark] of this.registry) {
      marks[i] = key;
      kinds[i++] = REGISTRY_MARKS.indexOf(mark);
    }
    w.array(marks);
    w.array(kinds);
    w.strings(this.cellNames);
    const risky = [...this.highRisk];
    w.array(Int32Array.from(risky, ([cell]) => cell));
    w.array(Float64Array.from(risky, ([, window]) => window.from));
    w.array(Float64Array.from(risky, ([, window]) => window.until));
    const warned = [...this.calleeWarnedAt];
    w.array(Float64Array.from(warned, ([key]) => key));
    w.array(Float64Array.from(warned, ([, at]) => at));
    this.directory.writeImage(w);
    this.activity.writeImage(w);
    this.primaryLadder.writeImage(w);
    this.shadowLadder?.writeImage(w);
  }

  /** Loads what writeState wrote into this engine, new (nothing heard yet), of the image's policies and layout. */
  private readState(r: ImageReader): void {
    const marks = r.array((n) => new Float64Array(n));
    const kinds = r.array((n) => new Uint8Array(n));
    for (let i = 0; i < marks.length; i++) {
      const mark = REGISTRY_MARKS[kinds[i]];
      if (mark === undefined) throw new Error(`image: registry mark ${kinds[i]} unknown`);
      this.registry.set(marks[i], mark);
    }
    for (const cell of r.strings()) this.cellIndex(cell);
    const cells = r.array((n) => new Int32Array(n));
    const from = r.array((n) => new Float64Array(n));
    const until = r.array((n) => new Float64Array(n));
    for (let i = 0; i < cells.length; i++) this.highRisk.set(cells[i], { from: from[i], until: until[i] });
    const warned = r.array((n) => new Float64Array(n));
    const at = r.array((n) => new Float64Array(n));
    for (let i = 0; i < warned.length; i++) this.calleeWarnedAt.set(warned[i], at[i]);
    this.directory.readImage(r);
    this.activity.readImage(r);
    this.primaryLadder.readImage(r);
    this.shadowLadder?.readImage(r);
  }

  /** The result with the demotions its step tripped (policy.errorBudget). */
  private budgeted(result: EngineResult): EngineResult {
    return withDemotions(result, this.primaryLadder, this.shadowLadder);
  }

  /** Terms on either ladder that ended by `atMs` (the engine's clock), taken; undefined: none was due. */
  private lapseDue(atMs: number): Decision[] | undefined {
    const primary = this.primaryLadder;
    const shadow = this.shadowLadder;
    if (primary.nextTermEnd > atMs && (shadow === undefined || shadow.nextTermEnd > atMs)) return undefined;
    const lapsed: Decision[] = [];
    primary.lapseDue(atMs, msisdnOfKey, lapsed);
    shadow?.lapseDue(atMs, msisdnOfKey, lapsed);
    return lapsed;
  }

  /** One number's ended term, taken before acting on that number alone (a directive, an appeal, a review). */
  private lapseOne(msisdn: Msisdn, atMs: number): Decision[] | undefined {
    const key = msisdnKey(msisdn);
    const primary = this.primaryLadder.lapseOne(key, msisdn, atMs);
    const shadow = this.shadowLadder?.lapseOne(key, msisdn, atMs);
    if (primary === undefined && shadow === undefined) return undefined;
    return [primary, shadow].filter((d): d is Decision => d !== undefined);
  }

  private checkpointOf(key: number): NumberCheckpoint {
    const entry = this.directory.get(key);
    return {
      key,
      primary: this.primary.copyOfStanding(key),
      cited: [this.primary.citedOf(key), this.shadow?.citedOf(key)],
      shadow: this.shadow?.copyOfStanding(key),
      entry,
      activity: this.activity.snapshot(key),
    };
  }

  private register(event: SubscriberEvent): void {
    const key = msisdnKey(event.msisdn);
    const known = this.directory.read(key, this.holder);
    const attested = known?.attested === true && known.carrier === event.carrier;
    this.directory.set(key, {
      carrier: event.carrier,
      activatedAt: event.activatedAt,
      realNameVerified: event.realNameVerified,
      profile: attested ? known.profile : event.profile,
      attested,
    });
  }

  private isOwn(key: number): boolean {
    return this.directory.isOf(key, this.carrier);
  }

  private communication(event: CallEvent | SmsEvent): EngineResult {
    const isSms = event.type === 'sms';
    const from = isSms ? event.sender : event.caller;
    const to = isSms ? event.recipient : event.callee;
    const fromKey = msisdnKey(from);
    const toKey = msisdnKey(to);
    const atSec = toSec(event.at);
    // Each number looked up once in the directory: nothing below changes it.
    const fromRow = this.directory.rowOf(fromKey);
    const fromOwn = this.directory.rowIsOf(fromRow, this.carrier);
    const toOwn = this.directory.rowIsOf(this.directory.rowOf(toKey), this.carrier);
    // We see only traffic that touches our network; a foreign caller matters when it reaches our subscribers.
    if (!fromOwn && !toOwn) return SILENT;
    // A shard keeps its side of the call: the caller's, the callee's or both.
    const mineFrom = !this.notMine(fromKey);
    const mineTo = !this.notMine(toKey);

    // What is recorded is recorded once, under the active policy's rules.
    const rules = this.primaryLadder.rules;
    const t = rules.thresholds;
    // Whether the callee is to be warned is settled before this call is recorded (and before its decision).
    const warnCallee =
      !isSms && event.answered && fromOwn && toOwn && mineFrom && this.calleeToWarn(fromKey, toKey, event.at);
    if (fromOwn && mineFrom) this.noteLabelled(fromKey, toKey, event.at);
    const callee = !mineTo ? -1 : toOwn ? this.activity.ensure(toKey, atSec) : this.activity.slotOf(toKey);
    const caller = mineFrom ? this.activity.ensure(fromKey, atSec) : -1;
    const knownBefore =
      mineFrom &&
      (this.activity.heardFrom(caller, toKey, 0) ||
        (mineTo ? callee >= 0 && this.activity.heardFrom(callee, fromKey, 0) : this.foreign.calleeHeard));
    // The callee answering back within a day: an honest caller's customers call back.
    if (callee >= 0) {
      const earlier = this.activity.findOutbound(callee, fromKey, atSec - rules.callbackWindowSec);
      if (earlier >= 0) this.activity.outFlags[earlier] |= OUT_CALLED_BACK;
      this.activity.noteInbound(callee, fromKey, atSec);
    }
    if (!mineFrom) return SILENT;

    const cell = event.cell === undefined ? -1 : this.cellIndex(event.cell);
    const atHighRisk = cell >= 0 && this.highRiskAt(cell, event.at);
    this.activity.noteDwell(caller, atHighRisk ? cell : -1, atSec, rules.dwellGapSec);
    const dwellMin = atHighRisk ? (atSec - this.activity.dwellSinceOf(caller)) / 60 : 0;
    let flags = isSms ? OUT_SMS : 0;
    if (!isSms && event.answered) flags |= OUT_ANSWERED;
    if (!knownBefore) flags |= OUT_NEW_CONTACT;
    if (atHighRisk) {
      flags |= OUT_HIGH_RISK;
      if (dwellMin >= t.highRiskActivity.minDwellMin) flags |= OUT_HIGH_RISK_DWELL;
      this.activity.noteSighting(caller, cell, atSec);
    }
    // Which signals count it in a counter of their own: bit r for the r-th (its counter follows the base ones).
    let counted = 0;
    if (RECORDS.length > 0) {
      const recorded = this.recorded;
      recorded.atSec = atSec;
      recorded.isSms = isSms;
      recorded.answered = !isSms && event.answered;
      recorded.durationSec = isSms ? 0 : event.durationSec;
      recorded.newContact = !knownBefore;
      for (let r = 0; r < RECORDS.length; r++) if (RECORDS[r](recorded, t)) counted |= 1 << r;
    }
    // Counted in the windows with its flags: calls or texts, answered, new contacts.
    this.activity.pushOutbound(caller, atSec, toKey, isSms ? 0 : event.durationSec, flags, cell, counted);
    if (!warnCallee) {
      return fromOwn
        ? this.evaluateAt(fromKey, from, event.at, caller, fromRow)
        : this.evaluateForeignAt(fromKey, from, event.at, caller, fromRow);
    }
    const warning: CalleeWarning = {
      at: event.at,
      callee: to,
      caller: from,
      policy: this.primaryLadder.label,
      reasons: this.primaryLadder.standingOf(fromKey)?.reasons ?? [],
    };
    // A shard proposes it: the callee's shard sends it or not (admitCalleeWarning).
    if (this.shard === undefined) this.calleeWarnedAt.set(toKey, event.at);
    return { ...this.evaluateAt(fromKey, from, event.at, caller, fromRow), calleeWarnings: [warning] };
  }

  /**
   * calleeProtection: the caller (ours) stands at fromStep or above on the active ladder, the callee (ours, who
   * answered) was not in contact with it within KNOWN_CONTACT_DAYS, and was not warned within warnEveryHours.
   */
  private calleeToWarn(fromKey: number, toKey: number, atMs: number): boolean {
    const protection = this.primaryLadder.rules.calleeProtection;
    if (protection === undefined || !protection.warnCallee) return false;
    if (ladderLevel(this.primaryLadder.levelOf(fromKey, atMs)) < protection.fromLevel) return false;
    const warnedAt = this.shard === undefined ? this.calleeWarnedAt.get(toKey) : undefined;
    if (warnedAt !== undefined && atMs - warnedAt < protection.warnEveryMs) return false;
    return !this.inContact(fromKey, toKey, atMs);
  }

  /**
   * calleeProtection.labelFirst: a number that awaits its first label on a ladder called a stranger, and call setup
   * labelled the call (judgeCall's rule); that ladder notes it, so its evidence may act from this call on. A text to a
   * stranger counts the same: nothing labels a text, so the evidence waits no longer than the next one.
   */
  private noteLabelled(fromKey: number, toKey: number, atMs: number): void {
    const primary = this.primaryLadder.awaitsLabel(fromKey, atMs);
    const shadow = this.shadowLadder?.awaitsLabel(fromKey, atMs) === true;
    if ((!primary && !shadow) || this.inContact(fromKey, toKey, atMs)) return;
    if (primary) this.primaryLadder.noteLabelled(fromKey, atMs);
    if (shadow) this.shadowLadder?.noteLabelled(fromKey, atMs);
  }

  private location(event: LocationEvent): EngineResult {
    const key = msisdnKey(event.msisdn);
    const row = this.directory.rowOf(key);
    if (!this.directory.rowIsOf(row, this.carrier) || this.notMine(key)) return SILENT;
    const atSec = toSec(event.at);
    const cell = this.cellIndex(event.cell);
    const atHighRisk = this.highRiskAt(cell, event.at);
    const slot = atHighRisk ? this.activity.ensure(key, atSec) : this.activity.slotOf(key);
    if (slot < 0) return SILENT;
    this.activity.noteDwell(slot, atHighRisk ? cell : -1, atSec, this.primaryLadder.rules.dwellGapSec);
    if (!atHighRisk) return SILENT;
    this.activity.noteSighting(slot, cell, atSec);
    return this.evaluateAt(key, event.msisdn, event.at, slot, row);
  }

  /**
   * A report counts as corroborated only if the reported number really called or texted the reporter: in the
   * reporter's memory of who called it or, with `bothSides`, in the reported number's own last calls and texts.
   */
  private report(event: ReportEvent): EngineResult {
    const reportedKey = msisdnKey(event.reported);
    const reporterKey = msisdnKey(event.reporter);
    const atSec = toSec(event.at);
    const rules = this.primaryLadder.rules;
    const { days, bothSides } = rules.thresholds.corroboratedReports;
    if (this.notMine(reportedKey)) return SILENT;
    const sinceSec = atSec - days * 86_400;
    const corroborated = this.notMine(reporterKey)
      ? this.foreign.reporterHeard || (bothSides === true && this.outboundSince(reportedKey, reporterKey, sinceSec))
      : this.reached(reportedKey, reporterKey, sinceSec, bothSides === true);
    const slot = this.activity.ensure(reportedKey, atSec);
    this.activity.noteReport(slot, reporterKey, atSec, corroborated);
    if (!this.isOwn(reportedKey)) return this.evaluateForeign(reportedKey, event.reported, event.at);

    const result = this.evaluate(reportedKey, event.reported, event.at);
    if (corroborated) return result;
    const attack = assessReportAttack(this.measureInto(reportedKey, event.at, rules, this.scratch), rules);
    const flagged = attack && this.primaryLadder.flagReportAttack(reportedKey, event.reported, attack, event.at);
    return flagged ? { decisions: [...result.decisions, flagged] } : result;
  }

  private restore(msisdn: Msisdn, reason: ReasonCode, atMs: number, mistaken: boolean): EngineResult {
    // A police clearance is the police's own word; anything else waits for the registry to clear the number.
    if (reason !== ReasonCode.PoliceCleared && this.isConfirmedFraud(msisdn)) return HELD_BY_REGISTRY;
    const key = msisdnKey(msisdn);
    // The evidence behind the suspension must not count again.
    this.activity.forget(key);
    if (mistaken) {
      this.primary.refundChances(key);
      this.shadow?.refundChances(key);
    }
    return this.collect((ladder) => ladder.restore(key, msisdn, reason, atMs));
  }

  /** Record → measure → assess → step, on each ladder: our own subscriber. */
  private evaluate(key: number, msisdn: Msisdn, atMs: number): EngineResult {
    return this.evaluateAt(key, msisdn, atMs, this.activity.slotOf(key), this.directory.rowOf(key));
  }

  /** evaluate(), with the number's activity slot and directory row already looked up (-1: none). */
  private evaluateAt(key: number, msisdn: Msisdn, atMs: number, slot: number, row: number): EngineResult {
    const primary = this.primaryLadder;
    const shadow = this.shadowLadder;
    // Looked up once for both ladders: stepping a ladder changes none of them.
    const holder = this.directory.readRow(row, this.holder);
    const mark = this.registry.get(key);
    const measured = this.measure(slot, key, atMs, primary.rules, holder, mark);
    const first = primary.step(key, msisdn, assessUnder(measured, primary.rules, primary.demoted), atMs, holder);
    const second = shadow
      ? shadow.step(
          key,
          msisdn,
          assessUnder(this.measure(slot, key, atMs, shadow.rules, holder, mark), shadow.rules, shadow.demoted),
          atMs,
          holder,
        )
      : undefined;
    return this.result(first, second);
  }

  /** The same for a number of another carrier: at most a report to the administration. */
  private evaluateForeign(key: number, msisdn: Msisdn, atMs: number): EngineResult {
    return this.evaluateForeignAt(key, msisdn, atMs, this.activity.slotOf(key), this.directory.rowOf(key));
  }

  /** evaluateForeign(), with the number's activity slot and directory row already looked up (-1: none). */
  private evaluateForeignAt(key: number, msisdn: Msisdn, atMs: number, slot: number, row: number): EngineResult {
    const primary = this.primaryLadder;
    const shadow = this.shadowLadder;
    const holder = this.directory.readRow(row, this.holder);
    const mark = this.registry.get(key);
    const assessed = assessUnder(this.measure(slot, key, atMs, primary.rules, holder, mark), primary.rules);
    const first = primary.stepForeign(key, msisdn, assessed, atMs);
    const second = shadow
      ? shadow.stepForeign(
          key,
          msisdn,
          assessUnder(this.measure(slot, key, atMs, shadow.rules, holder, mark), shadow.rules),
          atMs,
        )
      : undefined;
    return this.result(first, second);
  }

  private result(primary: Decision | undefined, shadow: Decision | undefined): EngineResult {
    if (!primary && !shadow) return SILENT;
    if (!shadow) return { decisions: [primary as Decision] };
    return { decisions: primary ? [primary, shadow] : [shadow] };
  }

  private collect(step: (ladder: Ladder) => Decision | undefined): EngineResult {
    return this.result(step(this.primaryLadder), this.shadowLadder ? step(this.shadowLadder) : undefined);
  }

  /**
   * Measures what an assessment under `rules` reads (the signals it weighs)
   * into the engine's scratch features: read them before the next measurement.
   */
  private measure(
    slot: number,
    key: number,
    atMs: number,
    rules: Rules,
    subscriber: Subscriber | undefined,
    registry: RegistryMark | undefined,
  ): Features {
    return this.measurer.measure(slot, atMs, rules.thresholds, key, subscriber, registry, this.scratch, rules.assessed);
  }

  private measureInto(key: number, atMs: number, rules: Rules, f: Features, signals?: Int32Array): Features {
    const { activity, directory, registry } = this;
    const slot = activity.slotOf(key);
    const subscriber = directory.read(key, this.holder);
    return this.measurer.measure(slot, atMs, rules.thresholds, key, subscriber, registry.get(key), f, signals);
  }

  private cellIndex(cell: string): number {
    let index = this.cellIds.get(cell);
    if (index === undefined) {
      index = this.cellNames.length;
      this.cellIds.set(cell, index);
      this.cellNames.push(cell);
    }
    return index;
  }

  private highRiskAt(cell: number, atMs: number): boolean {
    const window = this.highRisk.get(cell);
    return window !== undefined && atMs >= window.from && atMs < window.until;
  }
}
