import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { ValidationError } from '../errors';
import { parseEvent } from './event-parser';
import { decodeLine, EventFileLines, readEventLine, scanEventLine } from './event-line';
import { DEFAULT_POLICY } from './policy';
import { eventLine, Replayer } from './replay';
import { population } from './fixtures';

/** What a way of reading makes of a line: the event (its keys and their types), or the error as data. */
function outcome(read: () => unknown): unknown {
  try {
    const event = read() as Record<string, unknown>;
    return { event, keys: Object.keys(event), types: Object.values(event).map((value) => typeof value) };
  } catch (error) {
    if (error instanceof ValidationError)
      return { kind: 'ValidationError', code: error.code, field: error.field, reason: error.reason };
    return { kind: (error as Error).constructor.name, message: (error as Error).message };
  }
}

type Line = string | Uint8Array;
const bytesOf = (line: Line): Buffer => Buffer.from(typeof line === 'string' ? Buffer.from(line, 'utf8') : line);
/** The reference: the line decoded as a UTF-8 stream decodes it, then JSON.parse and parseEvent. */
const reference = (line: Line) => outcome(() => parseEvent(JSON.parse(bytesOf(line).toString('utf8'))));
/** The line amid other bytes (a chunk of the file), read from where it starts to where it ends. */
const fast = (line: Line) => {
  const bytes = bytesOf(line);
  const chunk = Buffer.concat([Buffer.from('{"id":"'), bytes, Buffer.from('"}\n{')]);
  return outcome(() => readEventLine(chunk, 7, 7 + bytes.length));
};
const scan = (line: Line) => scanEventLine(bytesOf(line));

interface Difference {
  line: string;
  fast: unknown;
  reference: unknown;
}

/** The reference outcome of the line; a line where the two paths differ is added to `differ` (the first ten). */
function compare(line: Line, differ: Difference[]): unknown {
  const expected = reference(line);
  const actual = fast(line);
  if (!isDeepStrictEqual(actual, expected) && differ.length < 10)
    differ.push({ line: bytesOf(line).toString('latin1'), fast: actual, reference: expected });
  return expected;
}

/** A small seeded generator (mulberry32), so that a failure is the same on every run. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(values: readonly T[]): T => values[int(values.length)];
  return { next, int, pick, chance: (p: number) => next() < p };
}
type Random = ReturnType<typeof random>;

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function time(r: Random): unknown {
  if (r.chance(0.85)) {
    const year = r.chance(0.9) ? 2020 + r.int(8) : r.pick([1969, 1970, 1999, 2000, 2099, 2100, 9999, 0]);
    const month = r.chance(0.9) ? 1 + r.int(12) : r.pick([0, 13, 99]);
    const day = r.chance(0.85) ? 1 + r.int(28) : r.pick([0, 29, 30, 31, 32]);
    const hour = r.chance(0.9) ? r.int(24) : r.pick([24, 25, 99]);
    const minute = r.chance(0.95) ? r.int(60) : r.pick([60, 99]);
    const second = r.chance(0.95) ? r.int(60) : r.pick([60, 61]);
    const fraction = r.chance(0.05) ? r.pick(['.5', '.123', '.123456789', '.', '.1234567890']) : '';
    const zone = r.pick(['+08:00', '+08:00', '+08:00', 'Z', '-05:30', '+00:00', '-00:00', '+23:59', '+24:00', 'z']);
    const clock = `${pad(hour)}:${pad(minute)}:${pad(second)}${fraction}`;
    const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${clock}${zone}`;
    return r.chance(0.03) ? text.replace('T', r.pick(['t', ' '])) : r.chance(0.02) ? text.slice(0, 16) + zone : text;
  }
  return r.pick([
    '',
    null,
    1712000000000,
    '2024-04-01',
    '2024-04-01T08:00:00',
    '1970-01-01T00:00:00Z',
    '1970-01-01T08:00:00+08:00',
    '2099-12-31T23:59:59Z',
    '2100-01-01T00:00:00Z',
    '2024-02-29T00:00:00+08:00',
    '2023-02-29T00:00:00+08:00',
    true,
    [],
  ]);
}

function msisdn(r: Random): unknown {
  if (r.chance(0.8)) {
    const national = `1${r.pick([3, 5, 8, 9])}${pad(r.int(1e9), 9)}`;
    return r.chance(0.8) ? national : `+86${national}`;
  }
  return r.pick([
    '+4420794600000',
    '+12025550123',
    '+861234',
    '+8612345678901',
    '12345678901',
    '1391234567',
    '139123456789',
    '１３９１２３４５６７８',
    '139 1234 5678',
    '110',
    '',
    null,
    13912345678,
    '+0123456789',
    '+1234567890123456',
  ]);
}

function cell(r: Random): unknown {
  if (r.chance(0.85)) return `460-${r.pick(['00', '11', '011'])}-${1 + r.int(99_999)}-${r.int(1e9)}`;
  return r.pick(['', null, '460-11-1', '46-11-1-1', '460-1-1-1', '460-11-123456-1', '460-11-1-1234567890', 42, 'x']);
}

function id(r: Random): unknown {
  return r.pick([
    'c-1',
    'evt-00042',
    '',
    null,
    7,
    'x'.repeat(128),
    'x'.repeat(129),
    'é€😀',
    'tab\there',
    'nul\u0000',
    'c1\u0085',
    'quote"d',
    'back\\slash',
    '\ud800lone',
    '\ufffd',
    'del\u007f',
  ]);
}

const bool = (r: Random): unknown =>
  r.chance(0.9) ? r.chance(0.5) : r.pick([null, 'true', 0, 1, 'false', []] as unknown[]);
const oneOf = (r: Random, values: readonly string[]): unknown =>
  r.chance(0.85) ? r.pick(values) : r.pick(['', null, 'FRAUD', 'unknown', 3, 'none ']);

function duration(r: Random): unknown {
  if (r.chance(0.8)) return r.int(3600);
  return r.pick([0, 86_400, 86_401, -1, 1.5, 1e3, 1e21, 99_999_999_999, '34', null, -0, Number.MAX_SAFE_INTEGER]);
}

const TYPES = ['subscriber', 'high_risk_cell', 'call', 'sms', 'location', 'report', 'reactivation', 'police_clear'];

/** An event as its file holds it, mostly valid, of any type: fields may be absent. */
function draft(r: Random): Record<string, unknown> {
  const type = r.chance(0.97) ? r.pick(TYPES) : r.pick(['', 'CALL', 'fax', null, 3]);
  const fields: Record<string, unknown> = { type };
  const maybe = (key: string, value: () => unknown, p = 0.95) => {
    if (r.chance(p)) fields[key] = value();
  };
  maybe('id', () => id(r), 0.15);
  switch (type) {
    case 'subscriber':
      maybe('msisdn', () => msisdn(r));
      maybe('carrier', () => oneOf(r, ['CMCC', 'CUCC', 'CTCC', 'CBN']));
      maybe('activatedAt', () => time(r));
      maybe('at', () => time(r), 0.2);
      maybe('realNameVerified', () => bool(r), 0.8);
      maybe('profile', () => oneOf(r, ['none', 'courier', 'delivery', 'logistics', 'enterprise']), 0.8);
      break;
    case 'high_risk_cell':
      maybe('cell', () => cell(r));
      maybe('at', () => time(r));
      maybe('until', () => time(r), 0.4);
      maybe('removed', () => bool(r), 0.4);
      break;
    case 'call':
      maybe('at', () => time(r));
      maybe('caller', () => msisdn(r));
      maybe('callee', () => msisdn(r));
      maybe('durationSec', () => duration(r), 0.9);
      maybe('answered', () => bool(r), 0.8);
      maybe('cell', () => cell(r), 0.8);
      break;
    case 'sms':
      maybe('at', () => time(r));
      maybe('sender', () => msisdn(r));
      maybe('recipient', () => msisdn(r));
      maybe('cell', () => cell(r), 0.8);
      break;
    case 'location':
      maybe('at', () => time(r));
      maybe('msisdn', () => msisdn(r));
      maybe('cell', () => cell(r));
      break;
    case 'report':
      maybe('at', () => time(r));
      maybe('reporter', () => msisdn(r));
      maybe('reported', () => msisdn(r));
      maybe('category', () => oneOf(r, ['fraud', 'harassment', 'spam']));
      break;
    case 'reactivation':
      maybe('at', () => time(r));
      maybe('msisdn', () => msisdn(r));
      maybe('idVerified', () => bool(r));
      break;
    default:
      maybe('at', () => time(r));
      maybe('msisdn', () => msisdn(r));
  }
  return fields;
}

function shuffled<T>(r: Random, values: T[]): T[] {
  for (let i = values.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [values[i], values[j]] = [values[j], values[i]];
  }
  return values;
}

/** The same event written another way, or broken: what a carrier's export or a hand edit might hold. */
const MUTATIONS: ((line: string, r: Random, fields: Record<string, unknown>) => string)[] = [
  // another key order
  (_line, r, fields) => JSON.stringify(Object.fromEntries(shuffled(r, Object.entries(fields)))),
  // a key the type does not read, or one no event has
  (line, r) => line.replace(/^\{/, `{"${r.pick(['cell', 'note', 'msisdn', 'until', '__proto__', 'Type'])}":"x",`),
  (line) => line.replace(/\}$/, ',"extra":{"nested":[1,2,{"a":null}]}}'),
  // a key twice: the last wins in JSON.parse
  (line, r, fields) => {
    const key = r.pick(Object.keys(fields));
    return line.replace(/\}$/, `,${JSON.stringify(key)}:${JSON.stringify(r.pick([fields[key], 'other', 5, null]))}}`);
  },
  (line, r, fields) => {
    const key = r.pick(Object.keys(fields));
    return line.replace(/^\{/, `{${JSON.stringify(key)}:${JSON.stringify(r.pick(['2024-04-01T08:00:00Z', 'x', 1]))},`);
  },
  // whitespace where JSON allows it, and where it does not
  (line, r) => line.replace(r.pick([/:/g, /,/g, /^\{/, /\}$/]), (m) => r.pick([`${m} `, ` ${m}`, `\t${m}`, `${m}\n`])),
  (line, r) => r.pick([` ${line}`, `${line} `, `${line}\r`, `\ufeff${line}`, `${line}\u00a0`]),
  // escapes for plain characters, and escapes of characters JSON must escape
  (line, r) => {
    const at = line.indexOf('"', 1 + r.int(Math.max(1, line.length - 2)));
    if (at < 0) return line;
    const c = line.charCodeAt(at + 1);
    const escape = r.pick([`\\u${c.toString(16).padStart(4, '0')}`, '\\u0000', '\\n', '\\"', '\\/', '\\ud83d\\ude00']);
    return `${line.slice(0, at + 1)}${escape}${line.slice(at + 2)}`;
  },
  // raw control and other characters inside a string
  (line, r) => {
    const at = line.indexOf('"', 1 + r.int(Math.max(1, line.length - 2)));
    if (at < 0) return line;
    const c = r.pick(['\u0000', '\u0001', '\t', '\u001f', '\u007f', '\u0085', '\ud800', '\udfff', '\ufffd', 'é', '😀']);
    return `${line.slice(0, at + 1)}${c}${line.slice(at + 1)}`;
  },
  // an id is the one text kept as written: any character in it reaches the event
  (line, r) => {
    const c = r.pick(['\u0000', '\u0001', '\t', '\n', '\u001f', '\u007f', '\u009f', '\ud800', '\\u0041', 'é', '😀']);
    return line.includes('"id":"') ? line.replace('"id":"', `"id":"${c}`) : line.replace(/^\{/, `{"id":"${c}",`);
  },
  // numbers in other forms
  (line, r) =>
    line.replace(
      /"durationSec":\d+/,
      `"durationSec":${r.pick(['-0', '00', '01', '1.0', '1e2', '1E+2', '-5', '0.5', '1e400', '9'.repeat(30)])}`,
    ),
  (line, r) => line.replace(/:(true|false)/, `:${r.pick(['True', 'tru', 'truee', 'null', '1', '"true"', 'false'])}`),
  // broken JSON
  (line, r) => line.slice(0, r.int(line.length)),
  (line, r) => line.replace(r.pick(['"', ':', ',', '}']), ''),
  (line) => `${line},`,
  (line) => `[${line}]`,
  (line, r) => r.pick(['', '{}', 'null', '[]', '"call"', '42', '{"type":"call"}', '{"type":"call",}', '{,}']),
];

/** Bytes that are not UTF-8 (a stray continuation, a cut sequence, an overlong form, a surrogate), or are. */
const NOT_UTF8 = [[0xff], [0x80], [0xc3], [0xe4, 0xb8], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];

/** The line's bytes with a sequence that is not UTF-8 (or a BOM) put in somewhere, often inside a string. */
function withBadBytes(line: string, r: Random): Uint8Array {
  const bytes = Buffer.from(line, 'utf8');
  const at = r.chance(0.7) ? Math.max(0, bytes.indexOf(0x22, r.int(bytes.length)) + 1) : r.int(bytes.length + 1);
  const bad = r.chance(0.1) ? [0xef, 0xbb, 0xbf] : r.pick(NOT_UTF8);
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(bad), bytes.subarray(at)]);
}

/** A line of a generated file: mostly a valid event, else rewritten or broken. */
function generatedLine(r: Random): Line {
  const fields = draft(r);
  let line = JSON.stringify(fields);
  for (let n = r.chance(0.5) ? 0 : 1 + r.int(2); n > 0; n--) line = r.pick(MUTATIONS)(line, r, fields);
  return r.chance(0.05) ? withBadBytes(line, r) : line;
}

describe(readEventLine.name, () => {
  it('reads every line the simulator writes straight from its characters, as JSON.parse and parseEvent do', () => {
    const { events } = population({ subscribers: 2_000, days: 2, heavyPerMille: 5, fraudPerMille: 2, seed: 7 });
    const types = new Set<string>();
    const unread: string[] = [];
    const differ: Difference[] = [];
    for (const event of events) {
      const line = eventLine(event);
      if (scan(line) === undefined) unread.push(line);
      compare(line, differ);
      types.add(event.type);
    }
    expect(events.length).toBeGreaterThan(10_000);
    expect(unread.slice(0, 5)).toEqual([]);
    expect(differ).toEqual([]);
    expect([...types].sort()).toEqual(['call', 'high_risk_cell', 'sms', 'subscriber']);
  });

  it('gives the event, or the error, that JSON.parse and parseEvent give, on every line generated', () => {
    const r = random(20261206);
    let scanned = 0;
    let refused = 0;
    const differ: Difference[] = [];
    const lines = 40_000;
    for (let i = 0; i < lines; i++) {
      const line = generatedLine(r);
      if (!('event' in (compare(line, differ) as object))) refused++;
      if (scan(line) !== undefined) scanned++;
    }
    expect(differ).toEqual([]);
    // Both paths are exercised: the scanner reads many lines, and many are refused with an error.
    expect(scanned).toBeGreaterThan(lines / 10);
    expect(refused).toBeGreaterThan(lines / 5);
  });

  it('reads every event type, and every optional field, the way parseEvent does', () => {
    const at = '2024-02-06T19:05:00+08:00';
    const call = `"caller":"19112345678","callee":"13800000002"`;
    const lines = [
      `{"type":"subscriber","msisdn":"+8619112345678","carrier":"CBN","activatedAt":"${at}",` +
        `"at":"2024-02-07T00:00:00Z"}`,
      `{"type":"subscriber","id":"s-1","msisdn":"+4420794600000","carrier":"CMCC","activatedAt":"${at}",` +
        `"profile":"courier","realNameVerified":false}`,
      `{"type":"high_risk_cell","cell":"460-11-23456-1","at":"${at}","until":"2024-02-08T00:00:00-05:30",` +
        `"removed":true}`,
      `{"type":"high_risk_cell","cell":"460-011-1-123456789","at":"${at}"}`,
      `{"type":"call","at":"${at}",${call},"durationSec":0}`,
      `{"type":"call","at":"${at}",${call},"durationSec":86400,"answered":false}`,
      `{"type":"call","at":"${at}",${call}}`,
      `{"type":"sms","at":"${at}","sender":"19112345678","recipient":"+12025550123"}`,
      `{"type":"location","at":"${at}","msisdn":"19112345678","cell":"460-00-1-1"}`,
      `{"type":"report","at":"${at}","reporter":"19112345678","reported":"13800000002","category":"harassment"}`,
      `{"type":"reactivation","at":"${at}","msisdn":"19112345678","idVerified":true}`,
      `{"type":"police_clear","id":"${'p'.repeat(128)}","at":"2024-02-29T23:59:59+23:59","msisdn":"19112345678"}`,
    ];
    for (const line of lines) {
      expect(scan(line)).toBeDefined();
      expect(fast(line)).toStrictEqual(reference(line));
    }
  });

  it('leaves control characters, escapes and characters beyond ASCII to JSON.parse', () => {
    const line = (id: string) =>
      `{"type":"police_clear","id":"${id}","at":"2024-02-06T19:05:00Z","msisdn":"19112345678"}`;
    const ids = ['a\u0000b', 'tab\there', '\u001f', 'a\\u0000', 'a\\"b', 'a\\\\b', '\u007f', 'é', '\ud800', '😀'];
    for (const id of ids) {
      expect(scan(line(id))).toBeUndefined();
      expect(fast(line(id))).toStrictEqual(reference(line(id)));
    }
    expect(fast(line('a\u0000b'))).toMatchObject({ kind: 'SyntaxError' });
    expect(fast(line('\ud800'))).toMatchObject({ event: { id: '\ufffd' } });
    expect(scan(line('~ !#'))).toMatchObject({ id: '~ !#' });
  });
});

/** The lines of a file as the replay read them before: Node's readline over the file decoded as UTF-8. */
async function readlineLines(chunks: Uint8Array[]): Promise<string[]> {
  const input = new PassThrough();
  input.setEncoding('utf8');
  const lines: string[] = [];
  const done = (async () => {
    for await (const line of createInterface({ input, crlfDelay: Infinity })) lines.push(line);
  })();
  for (const chunk of chunks) input.write(chunk);
  input.end();
  await done;
  return lines;
}

/** The file cut into chunks of random sizes, some of a byte or two, so that breaks and characters straddle them. */
function chunked(file: Buffer, r: Random): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < file.length;) {
    const size = r.chance(0.3) ? 1 + r.int(3) : 1 + r.int(400);
    chunks.push(file.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

/** A file of generated lines, with every line break there is, and text that is not UTF-8 or not a line at all. */
function generatedFile(r: Random, lines: number): Buffer {
  const parts: Buffer[] = [];
  if (r.chance(0.5)) parts.push(Buffer.from([0xef, 0xbb, 0xbf]));
  for (let i = 0; i < lines; i++) {
    parts.push(bytesOf(generatedLine(r)));
    parts.push(Buffer.from(r.pick(['\n', '\n', '\n', '\r\n', '\r', '\n\n', ' \n', '\r\r\n', '\u2028\n'])));
  }
  if (r.chance(0.5)) parts.push(Buffer.from('{"type":"call"'));
  return Buffer.concat(parts);
}

describe(EventFileLines.name, () => {
  it('splits and decodes a file into the lines readline gives, however the file is cut', async () => {
    const r = random(42);
    for (let round = 0; round < 30; round++) {
      const file = generatedFile(r, 200);
      const chunks = chunked(file, r);
      const lines: string[] = [];
      const splitter = new EventFileLines((bytes, start, end) => lines.push(decodeLine(bytes, start, end)));
      for (const chunk of chunks) splitter.push(chunk);
      splitter.end();
      expect(lines).toStrictEqual(await readlineLines(chunks));
    }
  });
});

describe(Replayer.name, () => {
  it('gives the decisions and the counts of readline and feed when fed the bytes of each line', async () => {
    const r = random(6);
    for (let round = 0; round < 4; round++) {
      const { events } = population({ subscribers: 500, days: 2, heavyPerMille: 20, fraudPerMille: 20, seed: round });
      const good = Buffer.from(events.map((event) => `${eventLine(event)}\n`).join(''));
      const file = Buffer.concat([
        good.subarray(0, good.length >> 1),
        generatedFile(r, 500),
        good.subarray(good.length >> 1),
      ]);
      const chunks = chunked(file, r);

      const before = new Replayer({ policy: DEFAULT_POLICY });
      const decisionsBefore: unknown[] = [];
      for (const line of await readlineLines(chunks)) {
        decisionsBefore.push(...before.feed(line), ...before.demotions);
      }
      const after = new Replayer({ policy: DEFAULT_POLICY });
      const decisionsAfter: unknown[] = [];
      const splitter = new EventFileLines((bytes, start, end) =>
        decisionsAfter.push(...after.feedLine(bytes, start, end), ...after.demotions),
      );
      for (const chunk of chunks) splitter.push(chunk);
      splitter.end();

      expect(after.stats.rejected.length).toBeGreaterThan(100);
      expect(before.stats.decisions).toBeGreaterThan(0);
      expect(after.stats).toStrictEqual(before.stats);
      expect(decisionsAfter).toStrictEqual(decisionsBefore);
    }
  });
});
