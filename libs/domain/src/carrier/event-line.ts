import { CARRIER_IDS, type CarrierId } from '../carriers';
import type { CellId } from '../cell';
import { isMsisdn, normaliseMsisdn, type Msisdn } from '../msisdn';
import { parseEvent } from './event-parser';
import { MAX_CALL_SECONDS, MAX_EVENT_ID_LENGTH, MAX_EVENT_MS } from './event-validation';
import { ReportCategory, UsageProfile, type CarrierEvent, type EventType } from './events';

/**
 * One line of the event file (DESIGN.md §3), its bytes from `start` to `end`
 * (UTF-8, without its line break), as its event. The common shapes, as the
 * simulator and carriers' exports write them, are read straight from the bytes
 * (scanEventLine); any other line is decoded and goes through JSON.parse and
 * parseEvent, so errors and accepted values are theirs. Throws JSON.parse's
 * SyntaxError for a line that is not JSON, or parseEvent's ValidationError.
 */
export function readEventLine(bytes: Uint8Array, start = 0, end = bytes.length): CarrierEvent {
  return scanEventLine(bytes, start, end) ?? parseEvent(JSON.parse(decodeLine(bytes, start, end)));
}

const UTF8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** The line as text, as a UTF-8 stream decodes it: a byte order mark kept, a malformed sequence as U+FFFD. */
export function decodeLine(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return UTF8.decode(bytes.subarray(start, end));
}

/**
 * Splits an event file's bytes into lines as Node's readline does on the file
 * read as UTF-8 with `crlfDelay: Infinity`: a line ends at LF, CR LF or a lone
 * CR (a CR LF split over two chunks is one break), and a last line without a
 * break counts when it is not empty. Each line is handed over as bytes, to
 * readEventLine or decodeLine.
 */
export class EventFileLines {
  /** The start of a line the last chunk did not finish. */
  private partial: Uint8Array | undefined;
  /** The last chunk ended with CR: a LF opening the next one ends no line. */
  private afterReturn = false;

  constructor(private readonly line: (bytes: Uint8Array, start: number, end: number) => void) {}

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    let from = 0;
    if (this.afterReturn) {
      this.afterReturn = false;
      if (chunk[0] === 0x0a) from = 1;
    }
    const hasReturn = chunk.indexOf(0x0d, from) >= 0;
    while (from < chunk.length) {
      const lineEnd = hasReturn ? lineBreak(chunk, from) : chunk.indexOf(0x0a, from);
      if (lineEnd < 0) break;
      if (this.partial === undefined) this.line(chunk, from, lineEnd);
      else {
        const whole = concat(this.partial, chunk.subarray(from, lineEnd));
        this.partial = undefined;
        this.line(whole, 0, whole.length);
      }
      from = lineEnd + 1;
      if (chunk[lineEnd] === 0x0d) {
        if (from === chunk.length) this.afterReturn = true;
        else if (chunk[from] === 0x0a) from++;
      }
    }
    if (from < chunk.length) {
      // A copy: a Buffer's slice is a view, and the chunk may be its stream's to reuse.
      const rest = new Uint8Array(chunk.subarray(from));
      this.partial = this.partial === undefined ? rest : concat(this.partial, rest);
    }
  }

  /** The file's last line, when it has no line break. */
  end(): void {
    const partial = this.partial;
    this.partial = undefined;
    this.afterReturn = false;
    if (partial !== undefined && partial.length > 0) this.line(partial, 0, partial.length);
  }
}

function lineBreak(chunk: Uint8Array, from: number): number {
  for (let at = from; at < chunk.length; at++) if (chunk[at] === 0x0a || chunk[at] === 0x0d) return at;
  return -1;
}

function concat(head: Uint8Array, tail: Uint8Array): Uint8Array {
  const whole = new Uint8Array(head.length + tail.length);
  whole.set(head);
  whole.set(tail, head.length);
  return whole;
}

// The keys an event may have, as bits of a mask.
const TYPE = 0;
const ID = 1;
const AT = 2;
const MSISDN = 3;
const CARRIER = 4;
const ACTIVATED_AT = 5;
const REAL_NAME_VERIFIED = 6;
const PROFILE = 7;
const CELL = 8;
const UNTIL = 9;
const REMOVED = 10;
const CALLER = 11;
const CALLEE = 12;
const DURATION_SEC = 13;
const ANSWERED = 14;
const SENDER = 15;
const RECIPIENT = 16;
const REPORTER = 17;
const REPORTED = 18;
const CATEGORY = 19;
const ID_VERIFIED = 20;

const KEYS: readonly string[] = [
  'type',
  'id',
  'at',
  'msisdn',
  'carrier',
  'activatedAt',
  'realNameVerified',
  'profile',
  'cell',
  'until',
  'removed',
  'caller',
  'callee',
  'durationSec',
  'answered',
  'sender',
  'recipient',
  'reporter',
  'reported',
  'category',
  'idVerified',
];

/** The keys by their length, so that a key is found among at most four. */
const KEYS_BY_LENGTH: readonly (readonly number[])[] = (() => {
  const byLength: number[][] = [];
  KEYS.forEach((key, index) => (byLength[key.length] ??= []).push(index));
  return Array.from(byLength, (indexes) => indexes ?? []);
})();

const bits = (...keys: number[]) => keys.reduce((mask, key) => mask | (1 << key), (1 << TYPE) | (1 << ID) | (1 << AT));

/**
 * The keys validateEvent reads for each type: a line with any other key (which
 * validateEvent would ignore) is left to the reference path.
 */
const KEYS_OF: Readonly<Record<EventType, number>> = {
  subscriber: bits(MSISDN, CARRIER, ACTIVATED_AT, REAL_NAME_VERIFIED, PROFILE),
  high_risk_cell: bits(CELL, UNTIL, REMOVED),
  call: bits(CALLER, CALLEE, DURATION_SEC, ANSWERED, CELL),
  sms: bits(SENDER, RECIPIENT, CELL),
  location: bits(MSISDN, CELL),
  report: bits(REPORTER, REPORTED, CATEGORY),
  reactivation: bits(MSISDN, ID_VERIFIED),
  police_clear: bits(MSISDN),
};
const EVENT_TYPES = Object.keys(KEYS_OF) as EventType[];
const PROFILES: readonly UsageProfile[] = Object.values(UsageProfile);
const CATEGORIES: readonly ReportCategory[] = Object.values(ReportCategory);

// What a key's value was on the line.
const ABSENT = 0;
const STRING = 1;
const NUMBER = 2;
const TRUE = 3;
const FALSE = 4;
/** A time or a number the scanner does not read: the line goes the reference way. */
const FAIL = -1;

/**
 * The line's fields (where a string's bytes start and end, a number's value),
 * one line at a time: nothing is allocated until the event itself.
 */
const kinds = new Int8Array(KEYS.length);
const starts = new Int32Array(KEYS.length);
const ends = new Int32Array(KEYS.length);
/** The keys of the last line, in their order. */
const keyOrder = new Int8Array(KEYS.length).fill(-1);

/**
 * The event on a line of the common shape: one JSON object on one line with no
 * whitespace, only the keys validateEvent reads for its type, each once, strings
 * of ASCII characters without escapes, durations as plain integers, times as
 * `YYYY-MM-DDTHH:MM:SS` with `Z` or an offset, every field valid. Anything else
 * is undefined, for JSON.parse and parseEvent to read; what this returns equals
 * what they would, field for field and in the same order.
 */
export function scanEventLine(line: Uint8Array, start = 0, end = line.length): CarrierEvent | undefined {
  const seen = scanKeys(line, start, end);
  if (seen < 0) return undefined;
  const type = oneOf(line, TYPE, EVENT_TYPES);
  if (type === undefined || (seen & ~KEYS_OF[type]) !== 0) return undefined;
  let id: string | undefined;
  if (kinds[ID] !== ABSENT) {
    const length = ends[ID] - starts[ID];
    if (kinds[ID] !== STRING || length === 0 || length > MAX_EVENT_ID_LENGTH) return undefined;
    if (!printable(line, starts[ID], ends[ID])) return undefined;
    id = ascii(line, starts[ID], ends[ID]);
  }
  switch (type) {
    case 'subscriber': {
      const carrier = oneOf(line, CARRIER, CARRIER_IDS) as CarrierId | undefined;
      const profile = kinds[PROFILE] === ABSENT ? UsageProfile.None : oneOf(line, PROFILE, PROFILES);
      const activatedAt = time(line, ACTIVATED_AT);
      const at = kinds[AT] === ABSENT ? activatedAt : time(line, AT);
      const msisdn = phoneNumber(line, MSISDN);
      const realNameVerified = flag(REAL_NAME_VERIFIED, false);
      if (carrier === undefined || profile === undefined || at === FAIL || activatedAt === FAIL) return undefined;
      if (msisdn === undefined || realNameVerified === undefined) return undefined;
      return { type, id, at, msisdn, carrier, activatedAt, realNameVerified, profile };
    }
    case 'high_risk_cell': {
      const at = time(line, AT);
      const cell = cellId(line, CELL);
      const until = kinds[UNTIL] === ABSENT ? undefined : time(line, UNTIL);
      const removed = flag(REMOVED);
      if (at === FAIL || cell === undefined || until === FAIL) return undefined;
      if (kinds[REMOVED] !== ABSENT && removed === undefined) return undefined;
      return { type, id, at, cell, until, removed };
    }
    case 'call': {
      const durationSec = kinds[DURATION_SEC] === ABSENT ? 0 : duration(DURATION_SEC);
      const at = time(line, AT);
      const caller = phoneNumber(line, CALLER);
      const callee = phoneNumber(line, CALLEE);
      const answered = flag(ANSWERED, durationSec > 0);
      const cell = kinds[CELL] === ABSENT ? undefined : cellId(line, CELL);
      if (durationSec === FAIL || at === FAIL || caller === undefined || callee === undefined) return undefined;
      if (answered === undefined || (kinds[CELL] !== ABSENT && cell === undefined)) return undefined;
      return { type, id, at, caller, callee, durationSec, answered, cell };
    }
    case 'sms': {
      const at = time(line, AT);
      const sender = phoneNumber(line, SENDER);
      const recipient = phoneNumber(line, RECIPIENT);
      const cell = kinds[CELL] === ABSENT ? undefined : cellId(line, CELL);
      if (at === FAIL || sender === undefined || recipient === undefined) return undefined;
      if (kinds[CELL] !== ABSENT && cell === undefined) return undefined;
      return { type, id, at, sender, recipient, cell };
    }
    case 'location': {
      const at = time(line, AT);
      const msisdn = phoneNumber(line, MSISDN);
      const cell = cellId(line, CELL);
      if (at === FAIL || msisdn === undefined || cell === undefined) return undefined;
      return { type, id, at, msisdn, cell };
    }
    case 'report': {
      const category = oneOf(line, CATEGORY, CATEGORIES);
      const at = time(line, AT);
      const reporter = phoneNumber(line, REPORTER);
      const reported = phoneNumber(line, REPORTED);
      if (category === undefined || at === FAIL || reporter === undefined || reported === undefined) return undefined;
      return { type, id, at, reporter, reported, category };
    }
    case 'reactivation': {
      const at = time(line, AT);
      const msisdn = phoneNumber(line, MSISDN);
      const idVerified = flag(ID_VERIFIED);
      if (at === FAIL || msisdn === undefined || idVerified === undefined) return undefined;
      return { type, id, at, msisdn, idVerified };
    }
    case 'police_clear': {
      const at = time(line, AT);
      const msisdn = phoneNumber(line, MSISDN);
      if (at === FAIL || msisdn === undefined) return undefined;
      return { type, id, at, msisdn };
    }
  }
}

/**
 * The mask of the keys on the line (`start` to `end`), their values in
 * kinds/starts/ends; -1 when the line is not of the common shape (see
 * scanEventLine).
 */
function scanKeys(line: Uint8Array, start: number, end: number): number {
  for (let key = 0; key < KEYS.length; key++) kinds[key] = ABSENT;
  // The closing brace stops every run of digits or characters before the end.
  if (end - start < 2 || line[start] !== 0x7b || line[end - 1] !== 0x7d) return -1;
  let seen = 0;
  let order = 0;
  let at = start + 1;
  for (;;) {
    // "key":
    if (line[at] !== 0x22) return -1;
    const keyEnd = quoteAt(line, at + 1, end);
    const key = keyEnd < 0 ? -1 : keyOf(line, at + 1, keyEnd, order);
    if (key < 0 || (seen & (1 << key)) !== 0 || line[keyEnd + 1] !== 0x3a) return -1;
    seen |= 1 << key;
    keyOrder[order++] = key;
    at = keyEnd + 2;
    // its value: a string, a plain integer, true or false
    const first = line[at];
    if (first === 0x22) {
      const valueEnd = quoteAt(line, at + 1, end);
      if (valueEnd < 0) return -1;
      kinds[key] = STRING;
      starts[key] = at + 1;
      ends[key] = valueEnd;
      at = valueEnd + 1;
    } else if (first >= 0x30 && first <= 0x39) {
      let value = first - 0x30;
      let next = at + 1;
      for (let c = line[next]; c >= 0x30 && c <= 0x39; c = line[++next]) {
        if (first === 0x30 || next - at >= 9) return -1;
        value = value * 10 + (c - 0x30);
      }
      kinds[key] = NUMBER;
      starts[key] = value;
      at = next;
    } else if (first === 0x74 && spells(line, at, end, 'true')) {
      kinds[key] = TRUE;
      at += 4;
    } else if (first === 0x66 && spells(line, at, end, 'false')) {
      kinds[key] = FALSE;
      at += 5;
    } else {
      return -1;
    }
    const after = line[at];
    if (after === 0x7d) return at === end - 1 && kinds[TYPE] === STRING ? seen : -1;
    if (after !== 0x2c) return -1;
    at++;
  }
}

/**
 * The next quote from `from`: where a string ends if it holds no escape. A
 * string that does is cut short at its escaped quote, and fails its check: every
 * value is checked byte by byte (digits, the words it may be, or printable), and
 * every key spelled out, so that no backslash, control character or byte beyond
 * ASCII gets through.
 */
function quoteAt(line: Uint8Array, from: number, end: number): number {
  for (let at = from; at < end; at++) if (line[at] === 0x22) return at;
  return -1;
}

/** Whether the bytes are printable ASCII characters, and neither a quote nor a backslash. */
function printable(line: Uint8Array, start: number, end: number): boolean {
  for (let at = start; at < end; at++) {
    const c = line[at];
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
  }
  return true;
}

/** Whether `word` is written on the line at `at`, before `end`. */
function spells(line: Uint8Array, at: number, end: number, word: string): boolean {
  if (at + word.length > end) return false;
  for (let i = 0; i < word.length; i++) if (line[at + i] !== word.charCodeAt(i)) return false;
  return true;
}

/**
 * The key spelled from `start` to `end`, the `order`th of its line: lines of a
 * file mostly write their keys in one order, so the key of the last line at
 * that place is tried first.
 */
function keyOf(line: Uint8Array, start: number, end: number, order: number): number {
  const likely = keyOrder[order];
  if (likely >= 0 && KEYS[likely].length === end - start && spells(line, start, end, KEYS[likely])) return likely;
  const candidates = KEYS_BY_LENGTH[end - start];
  if (candidates === undefined) return -1;
  for (let i = 0; i < candidates.length; i++) if (spells(line, start, end, KEYS[candidates[i]])) return candidates[i];
  return -1;
}

/** The one of `values` the key's string spells, or undefined. */
function oneOf<T extends string>(line: Uint8Array, key: number, values: readonly T[]): T | undefined {
  if (kinds[key] !== STRING) return undefined;
  const start = starts[key];
  const end = ends[key];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value.length === end - start && spells(line, start, end, value)) return value;
  }
  return undefined;
}

/** The key's boolean; absent, `fallback`; undefined when it is not a boolean (or absent with no fallback). */
function flag(key: number, fallback?: boolean): boolean | undefined {
  const kind = kinds[key];
  return kind === TRUE ? true : kind === FALSE ? false : kind === ABSENT ? fallback : undefined;
}

/** A call's length: a plain integer of seconds, 0 to 24 hours, or FAIL. */
function duration(key: number): number {
  return kinds[key] === NUMBER && starts[key] <= MAX_CALL_SECONDS ? starts[key] : FAIL;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The length of the run of digits at `at` (up to `end`). */
function digits(line: Uint8Array, at: number, end: number): number {
  let n = 0;
  while (at + n < end && isDigit(line[at + n])) n++;
  return n;
}

/** Text of printable ASCII characters (stringEnd let no other through). */
function ascii(line: Uint8Array, start: number, end: number): string {
  return String.fromCharCode.apply(null, line.subarray(start, end) as unknown as number[]);
}

/** The phone number in E.164, as normaliseMsisdn would give it, or undefined. */
function phoneNumber(line: Uint8Array, key: number): Msisdn | undefined {
  if (kinds[key] !== STRING) return undefined;
  const s = starts[key];
  const end = ends[key];
  // The national form, 1[3-9] and nine digits, is nearly every number in a carrier's file.
  if (end - s === 11 && line[s] === 0x31 && line[s + 1] >= 0x33 && digits(line, s, end) === 11) {
    const l = line;
    return String.fromCharCode(
      0x2b,
      0x38,
      0x36,
      l[s],
      l[s + 1],
      l[s + 2],
      l[s + 3],
      l[s + 4],
      l[s + 5],
      l[s + 6],
      l[s + 7],
      l[s + 8],
      l[s + 9],
      l[s + 10],
    ) as Msisdn;
  }
  const text = ascii(line, s, end);
  return text !== '' && isMsisdn(text) ? normaliseMsisdn(text, '') : undefined;
}

/** The cell id (MCC-MNC-LAC-CI: 3, 2 or 3, 1 to 5 and 1 to 9 digits), or undefined. */
function cellId(line: Uint8Array, key: number): CellId | undefined {
  if (kinds[key] !== STRING) return undefined;
  const start = starts[key];
  const end = ends[key];
  const mcc = digits(line, start, end);
  if (mcc !== 3 || line[start + 3] !== 0x2d) return undefined;
  const mnc = digits(line, start + 4, end);
  if (mnc < 2 || mnc > 3 || line[start + 4 + mnc] !== 0x2d) return undefined;
  const lacAt = start + 5 + mnc;
  const lac = digits(line, lacAt, end);
  if (lac < 1 || lac > 5 || line[lacAt + lac] !== 0x2d) return undefined;
  const ci = digits(line, lacAt + lac + 1, end);
  if (ci < 1 || ci > 9 || lacAt + lac + 1 + ci !== end) return undefined;
  return cellText(line, start, end) as CellId;
}

/**
 * A few thousand cells carry a file's millions of events: each cell's text is
 * made once and shared (so its hash, too), found by a hash of its bytes.
 */
const cellTexts = new Map<number, string>();
const MAX_CELL_TEXTS = 1 << 16;

function cellText(line: Uint8Array, start: number, end: number): string {
  let hash = end - start;
  for (let at = start; at < end; at++) hash = (Math.imul(hash, 31) + line[at]) | 0;
  const known = cellTexts.get(hash);
  if (known !== undefined && known.length === end - start) {
    let same = true;
    for (let i = 0; same && i < known.length; i++) same = known.charCodeAt(i) === line[start + i];
    if (same) return known;
  }
  const text = ascii(line, start, end);
  if (cellTexts.size >= MAX_CELL_TEXTS) cellTexts.clear();
  cellTexts.set(hash, text);
  return text;
}

/**
 * The key's time in ms, as parseTime reads `YYYY-MM-DDTHH:MM:SS` with `Z` or
 * `±HH:MM` and validateEvent bounds it (after 1970, before 2100); FAIL for any
 * other form, a date that does not exist, or a time out of bounds.
 */
function time(line: Uint8Array, key: number): number {
  if (kinds[key] !== STRING) return FAIL;
  const start = starts[key];
  const length = ends[key] - start;
  if (length !== 20 && length !== 25) return FAIL;
  if (line[start + 4] !== 0x2d || line[start + 7] !== 0x2d) return FAIL;
  if (line[start + 10] !== 0x54 || line[start + 13] !== 0x3a || line[start + 16] !== 0x3a) return FAIL;
  const year = number(line, start, 4);
  const month = number(line, start + 5, 2);
  const day = number(line, start + 8, 2);
  const hour = number(line, start + 11, 2);
  const minute = number(line, start + 14, 2);
  const second = number(line, start + 17, 2);
  if (year < 1970 || year > 2099 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return FAIL;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return FAIL;
  let offsetMinutes = 0;
  const zone = line[start + 19];
  if (length === 20) {
    if (zone !== 0x5a) return FAIL;
  } else {
    if ((zone !== 0x2b && zone !== 0x2d) || line[start + 22] !== 0x3a) return FAIL;
    const hours = number(line, start + 20, 2);
    const minutes = number(line, start + 23, 2);
    if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return FAIL;
    offsetMinutes = (zone === 0x2b ? 1 : -1) * (hours * 60 + minutes);
  }
  const seconds = daysSinceEpoch(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60;
  const ms = seconds * 1000;
  return ms > 0 && ms < MAX_EVENT_MS ? ms : FAIL;
}

/** The `width` digits at `at` as a number; -1 if one is not a digit. */
function number(line: Uint8Array, at: number, width: number): number {
  let value = 0;
  for (let i = 0; i < width; i++) {
    const c = line[at + i];
    if (!isDigit(c)) return -1;
    value = value * 10 + (c - 0x30);
  }
  return value;
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}
