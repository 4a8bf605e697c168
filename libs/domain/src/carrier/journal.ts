import type { CellId } from '../cell';
import type { Msisdn } from '../msisdn';
import { hasLoneSurrogate } from '../text';
import type { AnalysisEngine, EngineResult, StoredLadderDecision } from './engine';
import type { EventGate } from './event-gate';
import { ReportCategory, UsageProfile, type CarrierEvent, type CarrierId, type EventType } from './events';
import type { RegistryMark } from './features';
import type { ReviewOutcome } from './ladder';
import type { Action, PolicyDocument } from './policy';
import type { ReasonCode } from './reasons';

/**
 * One ladder's error budget as `rebuildBudget` takes it. Carried inside the `policies` command so that a replay puts
 * back the budget the live engine had, without reading the database again (the rows may have changed since).
 */
export interface LadderBudgetRebuild {
  policyLabel: string;
  shadow: boolean;
  history: readonly StoredLadderDecision[];
  demoted: readonly { reason: string; since: number }[];
  reenabled: readonly { reason: string; at: number }[];
}

/**
 * Every input that changes the engine other than an event batch, each with exactly the arguments of its engine
 * method: the journal records these, and a replay feeds them back through applyCommand, so the live path and the
 * replay cannot call the engine two different ways.
 */
export type EngineCommand =
  | { kind: 'directive'; msisdn: Msisdn; action: Action.Suspend | Action.Restore; atMs: number }
  | { kind: 'review'; msisdn: Msisdn; atMs: number }
  | { kind: 'impose'; msisdn: Msisdn; action: Action; reason: ReasonCode; atMs: number }
  | { kind: 'registryChanged'; msisdn: Msisdn; status: RegistryMark | 'NOT_LISTED'; atMs: number }
  | { kind: 'setHighRiskCells'; cells: readonly { cell: CellId; from: number; until: number }[] }
  | { kind: 'declareProfile'; msisdn: Msisdn; profile: UsageProfile }
  | { kind: 'reviewDecided'; msisdn: Msisdn; outcome: ReviewOutcome; atMs: number; openedAt?: number }
  | { kind: 'appealUpheld'; msisdn: Msisdn; atMs: number }
  | { kind: 'reactivation'; msisdn: Msisdn; idVerified: boolean; atMs: number }
  | { kind: 'reenableRule'; policyLabel: string; reason: string; atMs: number }
  | { kind: 'evictIdle'; idleSinceMs: number }
  /**
   * A policy switch (usePolicies) and the error budgets rebuilt right after it, one per running ladder that has a
   * budget: in the journal they are one step, as a replay must take them.
   */
  | {
      kind: 'policies';
      policy: PolicyDocument;
      shadow?: PolicyDocument;
      budgets: readonly LadderBudgetRebuild[];
    };

export type EngineCommandKind = EngineCommand['kind'];

/** What a command gave back: the engine's result, and for evictIdle how many numbers' activity it freed. */
export interface CommandResult extends EngineResult {
  evicted?: number;
}

const SILENT: CommandResult = Object.freeze({ decisions: Object.freeze([]) as unknown as [] });

/**
 * The one place a command becomes an engine call: the service applies live inputs through it and the start-up
 * replay applies journal entries through it, so both take the same path through the engine.
 */
export function applyCommand(engine: AnalysisEngine, command: EngineCommand): CommandResult {
  switch (command.kind) {
    case 'directive':
      return engine.directive(command.msisdn, command.action, command.atMs);
    case 'review':
      return engine.review(command.msisdn, command.atMs);
    case 'impose':
      return engine.impose(command.msisdn, command.action, command.reason, command.atMs);
    case 'registryChanged':
      return engine.registryChanged(command.msisdn, command.status, command.atMs);
    case 'setHighRiskCells':
      return engine.setHighRiskCells(command.cells);
    case 'declareProfile':
      return engine.declareProfile(command.msisdn, command.profile);
    case 'reviewDecided':
      return engine.reviewDecided(command.msisdn, command.outcome, command.atMs, command.openedAt);
    case 'appealUpheld':
      return engine.appealUpheld(command.msisdn, command.atMs);
    case 'reactivation':
      return engine.reactivation(command.msisdn, command.idVerified, command.atMs);
    case 'reenableRule':
      return engine.reenableRule(command.policyLabel, command.reason, command.atMs);
    case 'evictIdle':
      return { decisions: [], evicted: engine.evictIdle(command.idleSinceMs) };
    case 'policies':
      engine.usePolicies(command.policy, command.shadow);
      for (const b of command.budgets) engine.rebuildBudget(b.policyLabel, b.shadow, b.history, b.demoted, b.reenabled);
      return SILENT;
    default: {
      // A journal written by a later build may name a command this one does not know: skipping it would diverge.
      const unknown: never = command;
      throw new Error(`journal: unknown engine command ${JSON.stringify((unknown as { kind: unknown }).kind)}`);
    }
  }
}

/**
 * One journal entry: an admitted event batch or one command. `nowMs` is the wall clock the gate admitted the batch
 * with, so a replay that passes the events through the gate again moves its mark exactly as the live gate did.
 */
export type JournalEntry =
  { kind: 'events'; nowMs: number; events: CarrierEvent[] } | { kind: 'command'; command: EngineCommand };

/**
 * Replays one entry on an engine restored from a snapshot, as the live service applied it: a batch's events go
 * through the gate at the batch's clock (so its mark and remembered ids move as they did live) and each of them is
 * processed whatever the gate answers now (only admitted events are journalled: the live engine processed every
 * one); a command goes through applyCommand. The results, one per event or the command's one.
 */
export function replayJournalEntry(
  engine: AnalysisEngine,
  gate: EventGate | undefined,
  entry: JournalEntry,
): CommandResult[] {
  if (entry.kind === 'command') return [applyCommand(engine, entry.command)];
  const { events, nowMs } = entry;
  const results: CommandResult[] = new Array<CommandResult>(events.length);
  for (let i = 0; i < events.length; i++) {
    gate?.admit(events[i], nowMs);
    results[i] = engine.process(events[i]);
  }
  return results;
}

/** The entry format this code writes; an entry of any other version is refused, never guessed at. */
export const JOURNAL_FORMAT_VERSION = 1;

const ENTRY_EVENTS = 0;
const ENTRY_COMMAND = 1;

// The byte of a type, profile or category is its index here: append only, never reorder (a new value that is not
// listed yet still round-trips, as text). Changing an existing index is a new format version.
const TYPES: readonly EventType[] = [
  'subscriber',
  'high_risk_cell',
  'call',
  'sms',
  'location',
  'report',
  'reactivation',
  'police_clear',
];
const TYPE_CODE = new Map<string, number>(TYPES.map((t, i) => [t, i]));
const PROFILES: readonly string[] = [
  UsageProfile.None,
  UsageProfile.Courier,
  UsageProfile.Delivery,
  UsageProfile.Logistics,
  UsageProfile.Enterprise,
];
const CATEGORIES: readonly string[] = [ReportCategory.Fraud, ReportCategory.Harassment, ReportCategory.Spam];
/** An enum value outside the known list: its text follows. */
const OTHER = 0xff;

// The event's flags byte: which optional fields are present, and its one boolean.
const HAS_ID = 0x01;
const HAS_CELL = 0x02;
const HAS_UNTIL = 0x04;
const HAS_REMOVED = 0x08;
/** answered, realNameVerified, idVerified or removed, whichever the type has. */
const TRUE = 0x10;
/** durationSec is not a small whole number: a float64 instead of a varint. */
const FLOAT_DURATION = 0x20;

/** A number that is not `+` and 1 to 15 digits without a leading zero: its text follows. */
const MSISDN_TEXT = -1;
const MAX_VARINT_DURATION = 0x7fffffff;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A growing buffer written front to back: little-endian float64s, LEB128 varints, UTF-8 text. */
class Writer {
  bytes: Uint8Array;
  view: DataView;
  length = 0;

  constructor(capacity: number) {
    this.bytes = new Uint8Array(capacity);
    this.view = new DataView(this.bytes.buffer);
  }

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + n));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  byte(value: number): void {
    this.room(1);
    this.bytes[this.length++] = value;
  }

  float(value: number): void {
    this.room(8);
    this.view.setFloat64(this.length, value, true);
    this.length += 8;
  }

  varint(value: number): void {
    this.room(5);
    while (value > 0x7f) {
      this.bytes[this.length++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.bytes[this.length++] = value;
  }

  /**
   * A text as its length and kind (varint: byte count × 2 for UTF-8, unit count × 2 + 1 for UTF-16), then its bytes.
   * A string with a lone surrogate has no UTF-8 form (TextEncoder would write U+FFFD): it goes as UTF-16 units, so
   * every string comes back as it was.
   */
  text(value: string): void {
    const n = value.length;
    // Ids, numbers and cells are ASCII: one byte per unit, written directly.
    let ascii = true;
    for (let i = 0; i < n; i++)
      if (value.charCodeAt(i) >= 0x80) {
        ascii = false;
        break;
      }
    if (ascii) {
      this.varint(n * 2);
      this.room(n);
      for (let i = 0; i < n; i++) this.bytes[this.length++] = value.charCodeAt(i);
      return;
    }
    if (hasLoneSurrogate(value)) {
      this.varint(n * 2 + 1);
      this.room(n * 2);
      for (let i = 0; i < n; i++) {
        const unit = value.charCodeAt(i);
        this.bytes[this.length++] = unit & 0xff;
        this.bytes[this.length++] = unit >>> 8;
      }
      return;
    }
    // UTF-8 takes at most 3 bytes per UTF-16 unit: write in place after room for the longest length, then move it.
    const max = n * 3;
    const lengthBytes = max * 2 < 0x80 ? 1 : max * 2 < 0x4000 ? 2 : 5;
    // Room for the varint's own check too: growing the buffer now would drop the text written past its length.
    this.room(5 + max);
    const start = this.length;
    const { written } = utf8.encodeInto(value, this.bytes.subarray(start + lengthBytes));
    this.varint(written * 2);
    if (this.length !== start + lengthBytes)
      this.bytes.copyWithin(this.length, start + lengthBytes, start + lengthBytes + written);
    this.length += written;
  }

  append(other: Writer): void {
    this.room(other.length);
    this.bytes.set(other.bytes.subarray(0, other.length), this.length);
    this.length += other.length;
  }

  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

class Reader {
  private readonly view: DataView;
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length)
      throw new Error(`journal entry truncated: ${n} more byte(s) needed at offset ${this.offset}`);
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }

  float(): number {
    this.need(8);
    const value = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return value;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    throw new Error(`journal entry malformed: varint too long at offset ${this.offset}`);
  }

  text(): string {
    const head = this.varint();
    const units = head % 2 === 1;
    const length = units ? (head - 1) / 2 : head / 2;
    const start = this.offset;
    if (units) {
      this.need(length * 2);
      this.offset += length * 2;
      let text = '';
      for (let i = start; i < this.offset; i += 2)
        text += String.fromCharCode(this.bytes[i] | (this.bytes[i + 1] << 8));
      return text;
    }
    this.need(length);
    this.offset += length;
    const bytes = this.bytes.subarray(start, this.offset);
    // Ids, numbers and cells are short ASCII: made from the char codes, without a TextDecoder call each.
    if (length <= 64) {
      let ascii = true;
      for (let i = 0; i < length && ascii; i++) ascii = bytes[i] < 0x80;
      if (ascii) return String.fromCharCode.apply(null, bytes as unknown as number[]);
    }
    return fromUtf8.decode(bytes);
  }

  rest(): Uint8Array {
    const rest = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return rest;
  }

  end(): void {
    if (this.offset !== this.bytes.length)
      throw new Error(`journal entry malformed: ${this.bytes.length - this.offset} byte(s) left after the entry`);
  }
}

/**
 * Whether a number travels as its digits: `+`, then 1 to 15 digits not starting with 0, so that the digits read
 * as one double exactly (msisdnKey's reading) and `+${key}` gives the same text back.
 */
function digitsKey(msisdn: string): number {
  const n = msisdn.length;
  if (n < 2 || n > 16 || msisdn.charCodeAt(0) !== 43) return MSISDN_TEXT;
  let key = 0;
  for (let i = 1; i < n; i++) {
    const d = msisdn.charCodeAt(i) - 48;
    if (d < 0 || d > 9 || (i === 1 && d === 0)) return MSISDN_TEXT;
    key = key * 10 + d;
  }
  return key;
}

/** Repeated texts of a batch (cells, carriers): each written once, then referred to by its index. */
class StringTable {
  private readonly index = new Map<string, number>();
  readonly texts: string[] = [];

  ref(text: string): number {
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.texts.length;
      this.index.set(text, i);
      this.texts.push(text);
    }
    return i;
  }
}

function writeMsisdn(w: Writer, msisdn: string): void {
  const key = digitsKey(msisdn);
  w.float(key);
  if (key === MSISDN_TEXT) w.text(msisdn);
}

function readMsisdn(r: Reader): Msisdn {
  const key = r.float();
  return (key === MSISDN_TEXT ? r.text() : `+${key}`) as Msisdn;
}

function writeChoice(w: Writer, known: readonly string[], value: string): void {
  const i = known.indexOf(value);
  if (i >= 0) w.byte(i);
  else {
    w.byte(OTHER);
    w.text(value);
  }
}

function readChoice(r: Reader, known: readonly string[], what: string): string {
  const i = r.byte();
  if (i === OTHER) return r.text();
  if (i >= known.length) throw new Error(`journal entry malformed: ${what} ${i} unknown`);
  return known[i];
}

function writeEvent(w: Writer, table: StringTable, e: CarrierEvent): void {
  const code = TYPE_CODE.get(e.type);
  if (code === undefined) throw new Error(`journal: cannot encode an event of type ${JSON.stringify(e.type)}`);
  let flags = e.id !== undefined ? HAS_ID : 0;
  let duration = 0;
  switch (e.type) {
    case 'subscriber':
      if (e.realNameVerified) flags |= TRUE;
      break;
    case 'high_risk_cell':
      if (e.until !== undefined) flags |= HAS_UNTIL;
      if (e.removed !== undefined) flags |= HAS_REMOVED | (e.removed ? TRUE : 0);
      break;
    case 'call':
      duration = e.durationSec;
      if (!(Number.isInteger(duration) && duration >= 0 && duration <= MAX_VARINT_DURATION && !Object.is(duration, -0)))
        flags |= FLOAT_DURATION;
      if (e.answered) flags |= TRUE;
      if (e.cell !== undefined) flags |= HAS_CELL;
      break;
    case 'sms':
      if (e.cell !== undefined) flags |= HAS_CELL;
      break;
    case 'reactivation':
      if (e.idVerified) flags |= TRUE;
      break;
  }
  w.byte(code);
  w.byte(flags);
  w.float(e.at);
  if (e.id !== undefined) w.text(e.id);
  switch (e.type) {
    case 'subscriber':
      writeMsisdn(w, e.msisdn);
      w.varint(table.ref(e.carrier));
      w.float(e.activatedAt);
      writeChoice(w, PROFILES, e.profile);
      return;
    case 'high_risk_cell':
      w.varint(table.ref(e.cell));
      if (e.until !== undefined) w.float(e.until);
      return;
    case 'call':
      writeMsisdn(w, e.caller);
      writeMsisdn(w, e.callee);
      if (flags & FLOAT_DURATION) w.float(duration);
      else w.varint(duration);
      if (e.cell !== undefined) w.varint(table.ref(e.cell));
      return;
    case 'sms':
      writeMsisdn(w, e.sender);
      writeMsisdn(w, e.recipient);
      if (e.cell !== undefined) w.varint(table.ref(e.cell));
      return;
    case 'location':
      writeMsisdn(w, e.msisdn);
      w.varint(table.ref(e.cell));
      return;
    case 'report':
      writeMsisdn(w, e.reporter);
      writeMsisdn(w, e.reported);
      writeChoice(w, CATEGORIES, e.category);
      return;
    case 'reactivation':
    case 'police_clear':
      writeMsisdn(w, e.msisdn);
      return;
  }
}

function tableText(texts: readonly string[], i: number): string {
  if (i >= texts.length) throw new Error(`journal entry malformed: string ${i} of ${texts.length}`);
  return texts[i];
}

/**
 * One event, its keys in the order validateEvent gives them (type, id, at, then the type's fields), each optional
 * field present only when it was: the decoded event is the same object, by toEqual and by JSON.stringify.
 */
function readEvent(r: Reader, texts: readonly string[]): CarrierEvent {
  const code = r.byte();
  const type = TYPES[code];
  if (type === undefined) throw new Error(`journal entry malformed: event type ${code} unknown`);
  const flags = r.byte();
  const at = r.float();
  const e: Record<string, unknown> = flags & HAS_ID ? { type, id: r.text(), at } : { type, at };
  const yes = (flags & TRUE) !== 0;
  switch (type) {
    case 'subscriber':
      e.msisdn = readMsisdn(r);
      e.carrier = tableText(texts, r.varint()) as CarrierId;
      e.activatedAt = r.float();
      e.realNameVerified = yes;
      e.profile = readChoice(r, PROFILES, 'profile');
      break;
    case 'high_risk_cell':
      e.cell = tableText(texts, r.varint());
      if (flags & HAS_UNTIL) e.until = r.float();
      if (flags & HAS_REMOVED) e.removed = yes;
      break;
    case 'call':
      e.caller = readMsisdn(r);
      e.callee = readMsisdn(r);
      e.durationSec = flags & FLOAT_DURATION ? r.float() : r.varint();
      e.answered = yes;
      if (flags & HAS_CELL) e.cell = tableText(texts, r.varint());
      break;
    case 'sms':
      e.sender = readMsisdn(r);
      e.recipient = readMsisdn(r);
      if (flags & HAS_CELL) e.cell = tableText(texts, r.varint());
      break;
    case 'location':
      e.msisdn = readMsisdn(r);
      e.cell = tableText(texts, r.varint());
      break;
    case 'report':
      e.reporter = readMsisdn(r);
      e.reported = readMsisdn(r);
      e.category = readChoice(r, CATEGORIES, 'category');
      break;
    case 'reactivation':
      e.msisdn = readMsisdn(r);
      e.idVerified = yes;
      break;
    case 'police_clear':
      e.msisdn = readMsisdn(r);
      break;
  }
  return e as unknown as CarrierEvent;
}

/**
 * The key that stands for a number JSON cannot hold (±Infinity, NaN, -0: a high-risk cell listed without end is
 * `until: Infinity`). An object of a command that has this key of its own is refused rather than misread.
 */
const NUMBER_TAG = '$journal.number';

function commandJson(command: EngineCommand): string {
  return JSON.stringify(command, function (this: unknown, _key: string, value: unknown) {
    if (typeof value === 'number') {
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { [NUMBER_TAG]: Object.is(value, -0) ? '-0' : String(value) };
    }
    if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, NUMBER_TAG))
      throw new Error(`journal: a command may not hold the key ${NUMBER_TAG}`);
    return value;
  });
}

function commandOfJson(json: string): EngineCommand {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json, numberOfTag);
  } catch (error) {
    throw new Error(`journal entry malformed: its command is not JSON (${(error as Error).message})`, { cause: error });
  }
  if (parsed === null || typeof parsed !== 'object' || typeof (parsed as { kind?: unknown }).kind !== 'string')
    throw new Error('journal entry malformed: its command has no kind');
  return parsed as EngineCommand;
}

function numberOfTag(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && NUMBER_TAG in value) {
    const text = (value as Record<string, unknown>)[NUMBER_TAG];
    return text === '-0' ? -0 : Number(text);
  }
  return value;
}

/**
 * One journal entry in bytes: a format version byte, a kind byte, then
 * - events: float64 nowMs, the batch's string table (count, then each length-prefixed text), the event count, and
 *   each event as type byte, flags byte (optional fields present, its boolean), float64 time, its id when it has one,
 *   numbers as float64 digits (or -1 and the text), cells and carriers as string-table indexes, enums as bytes;
 * - command: the command as UTF-8 JSON (rare; numbers JSON cannot hold are tagged).
 * Event batches are the hot path, hence no JSON per event.
 */
export function encodeJournalEntry(entry: JournalEntry): Uint8Array {
  if (entry.kind === 'command') {
    const json = utf8.encode(commandJson(entry.command));
    const out = new Uint8Array(2 + json.length);
    out[0] = JOURNAL_FORMAT_VERSION;
    out[1] = ENTRY_COMMAND;
    out.set(json, 2);
    return out;
  }
  if (entry.kind !== 'events') throw new Error(`journal: cannot encode an entry of kind ${JSON.stringify(entry)}`);
  const { events } = entry;
  const table = new StringTable();
  const body = new Writer(64 + events.length * 40);
  body.varint(events.length);
  for (const e of events) writeEvent(body, table, e);
  const head = new Writer(16 + table.texts.reduce((n, t) => n + 5 + t.length * 3, 0) + body.length);
  head.byte(JOURNAL_FORMAT_VERSION);
  head.byte(ENTRY_EVENTS);
  head.float(entry.nowMs);
  head.varint(table.texts.length);
  for (const t of table.texts) head.text(t);
  head.append(body);
  return head.done();
}

/** The entry encodeJournalEntry wrote; throws on another format version or on bytes that are not a whole entry. */
export function decodeJournalEntry(bytes: Uint8Array): JournalEntry {
  const r = new Reader(bytes);
  if (bytes.length === 0) throw new Error('journal entry empty: no format version');
  const version = r.byte();
  if (version !== JOURNAL_FORMAT_VERSION)
    throw new Error(
      `journal entry of format version ${version}: this build reads version ${JOURNAL_FORMAT_VERSION} only`,
    );
  const kind = r.byte();
  if (kind === ENTRY_COMMAND) return { kind: 'command', command: commandOfJson(fromUtf8.decode(r.rest())) };
  if (kind !== ENTRY_EVENTS) throw new Error(`journal entry malformed: entry kind ${kind} unknown`);
  const nowMs = r.float();
  const textCount = r.varint();
  // Each text takes at least its length byte: a count beyond that is a damaged entry, not an allocation to make.
  if (textCount > bytes.length)
    throw new Error(`journal entry malformed: ${textCount} strings in ${bytes.length} bytes`);
  const texts: string[] = new Array<string>(textCount);
  for (let i = 0; i < texts.length; i++) texts[i] = r.text();
  const count = r.varint();
  const events: CarrierEvent[] = [];
  for (let i = 0; i < count; i++) events.push(readEvent(r, texts));
  r.end();
  return { kind: 'events', nowMs, events };
}
