import type { CellId } from '../cell';
import type { Msisdn } from '../msisdn';
import { AnalysisEngine, msisdnKey, type EngineResult, type StoredLadderDecision } from './engine';
import { EventGate } from './event-gate';
import { ReportCategory, UsageProfile, type CarrierEvent, type CarrierId } from './events';
import { reportedWorker } from './fixtures/long-held';
import { population } from './fixtures/population';
import { DAY, HOUR, MINUTE, random } from './fixtures/scenario';
import {
  decodeJournalEntry,
  encodeJournalEntry,
  JOURNAL_FORMAT_VERSION,
  replayJournalEntry,
  type EngineCommand,
  type JournalEntry,
} from './journal';
import type { Decision } from './ladder';
import {
  Action,
  DEFAULT_POLICY_V1,
  DEFAULT_POLICY_V2,
  NAIVE_POLICY,
  validatePolicy,
  type PolicyDocument,
} from './policy';
import { ReasonCode } from './reasons';

const roundTrip = (entry: JournalEntry): JournalEntry => decodeJournalEntry(encodeJournalEntry(entry));

/** Equal as objects and as text: an optional field absent stays absent, keys come back in their order. */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
}

/** Keys in the order validateEvent gives them, as every live event has them (fixtures build some in other orders). */
const KEY_ORDER: Record<CarrierEvent['type'], readonly string[]> = {
  subscriber: ['msisdn', 'carrier', 'activatedAt', 'realNameVerified', 'profile'],
  high_risk_cell: ['cell', 'until', 'removed'],
  call: ['caller', 'callee', 'durationSec', 'answered', 'cell'],
  sms: ['sender', 'recipient', 'cell'],
  location: ['msisdn', 'cell'],
  report: ['reporter', 'reported', 'category'],
  reactivation: ['msisdn', 'idVerified'],
  police_clear: ['msisdn'],
};

function inValidatorOrder(event: CarrierEvent): CarrierEvent {
  const source = event as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of ['type', 'id', 'at', ...KEY_ORDER[event.type]])
    if (source[key] !== undefined) out[key] = source[key];
  return out as unknown as CarrierEvent;
}

/** A large batch the same event by event: a failure names the first event that differs, not the whole batch. */
function expectSameEvents(actual: readonly CarrierEvent[], expected: readonly CarrierEvent[]): void {
  expect(actual.length).toBe(expected.length);
  const differs = expected.findIndex((e, i) => JSON.stringify(actual[i]) !== JSON.stringify(e));
  if (differs >= 0) expectSame(actual[differs], expected[differs]);
  expect(actual).toEqual(expected);
}

/** encodeJournalEntry of the batch in 'keeps its format', as format version 1 writes it. */
const GOLDEN_BATCH =
  '01000000000000000840011c3436302d31312d32333435362d31020213000000000000f03f046331004054fd39569f420038c1842c5b9f42' +
  '3c00050000000000000000400038c1842c5b9f42004054fd39569f4202';

const A = '+8613800138000' as Msisdn;
const B = '+8619112345678' as Msisdn;
/** Numbers that do not travel as digits: leading zero, too long, no plus, spaces, letters, empty, bare plus. */
const ODD_NUMBERS = ['+0861380013800', '+86138001380001234', '8613800138000', '+86 138', '+86abc', '', '+', '+1'];
const CELL = '460-11-23456-1' as CellId;
const UNICODE_CELL = '基站-北京-🚀-1' as CellId;
/** Ids: ASCII, UTF-8 short and long (its length takes fewer bytes than reserved), lone surrogates (no UTF-8 form). */
const IDS = [
  undefined,
  'e-1',
  '事件-😀-ñ',
  'x'.repeat(300),
  'é'.repeat(30),
  '日'.repeat(3000),
  '\ud800x',
  'a\udc00',
  'b\ud83d',
];

/** The event with its id, keys in the order validateEvent gives them (type, id, at, ...). */
function withId<E extends CarrierEvent>(event: E, id: string | undefined): E {
  if (id === undefined) return event;
  const { type, ...rest } = event;
  return { type, id, ...rest } as E;
}

/** Every event type, with each combination of its optional fields (absent, present, booleans both ways). */
function everyEventShape(): CarrierEvent[] {
  const at = Date.UTC(2025, 0, 1, 8, 30, 15, 123);
  const shapes: CarrierEvent[] = [];
  for (const flag of [false, true]) {
    for (const profile of Object.values(UsageProfile))
      shapes.push({
        type: 'subscriber',
        at,
        msisdn: A,
        carrier: 'CMCC',
        activatedAt: at - 400 * DAY,
        realNameVerified: flag,
        profile,
      });
    shapes.push({ type: 'reactivation', at, msisdn: B, idVerified: flag });
    for (const cell of [undefined, CELL, UNICODE_CELL])
      for (const durationSec of [0, 59, 2 ** 31 - 1, 2 ** 31, 1.5, -0, -3, 1e300])
        shapes.push(
          cell === undefined
            ? { type: 'call', at, caller: A, callee: B, durationSec, answered: flag }
            : { type: 'call', at, caller: A, callee: B, durationSec, answered: flag, cell },
        );
  }
  for (const until of [undefined, at + HOUR, Number.POSITIVE_INFINITY])
    for (const removed of [undefined, false, true]) {
      const event: CarrierEvent = { type: 'high_risk_cell', at, cell: UNICODE_CELL };
      if (until !== undefined) event.until = until;
      if (removed !== undefined) event.removed = removed;
      shapes.push(event);
    }
  shapes.push({ type: 'sms', at, sender: A, recipient: B });
  shapes.push({ type: 'sms', at, sender: A, recipient: B, cell: CELL });
  shapes.push({ type: 'location', at, msisdn: A, cell: CELL });
  for (const category of Object.values(ReportCategory))
    shapes.push({ type: 'report', at, reporter: A, reported: B, category });
  shapes.push({ type: 'police_clear', at, msisdn: A });
  return IDS.flatMap((id) => shapes.map((e) => withId(e, id)));
}

describe('journal entries of event batches', () => {
  it('round-trips every event type with every combination of its optional fields', () => {
    const events = everyEventShape();
    expect(new Set(events.map((e) => e.type)).size).toBe(8);
    const entry: JournalEntry = { kind: 'events', nowMs: Date.UTC(2025, 0, 1, 9), events };
    expectSame(roundTrip(entry), entry);
  });

  it('keeps an optional field given as undefined absent, as JSON would', () => {
    const event: CarrierEvent = {
      type: 'call',
      at: 1,
      caller: A,
      callee: B,
      durationSec: 3,
      answered: true,
      cell: undefined,
    };
    const entry: JournalEntry = { kind: 'events', nowMs: 2, events: [event] };
    const [decoded] = (roundTrip(entry) as typeof entry).events;
    expect(Object.keys(decoded)).not.toContain('cell');
    expectSame(decoded, event);
  });

  it('round-trips numbers that are not + and up to 15 digits as text, and values outside the enums', () => {
    const events: CarrierEvent[] = ODD_NUMBERS.flatMap((n, i) => {
      const m = n as Msisdn;
      return [
        { type: 'call', at: i, caller: m, callee: A, durationSec: 1, answered: true },
        { type: 'sms', at: i, sender: B, recipient: m, cell: `${UNICODE_CELL}-${i}` as CellId },
        {
          type: 'subscriber',
          at: i,
          msisdn: m,
          carrier: '联通' as CarrierId,
          activatedAt: i,
          realNameVerified: true,
          profile: 'pilot' as UsageProfile,
        },
        { type: 'report', at: i, reporter: m, reported: m, category: 'scam' as ReportCategory },
      ];
    });
    const entry: JournalEntry = { kind: 'events', nowMs: -0, events };
    const decoded = roundTrip(entry);
    expectSame(decoded, entry);
    expect(Object.is((decoded as { nowMs: number }).nowMs, -0)).toBe(true);
  });

  it('keeps the digits of a 15-digit number and odd times exactly', () => {
    const max = '+999999999999999' as Msisdn;
    const times = [0, -1, 1.25, Number.MAX_SAFE_INTEGER, Number.MIN_VALUE, Number.NEGATIVE_INFINITY];
    const events: CarrierEvent[] = times.map((at) => ({ type: 'police_clear', at, msisdn: max }));
    expectSame(roundTrip({ kind: 'events', nowMs: 1, events }), { kind: 'events', nowMs: 1, events });
  });

  it('writes a repeated cell or carrier once per batch', () => {
    const one = (cell: string): CarrierEvent => ({ type: 'location', at: 1, msisdn: A, cell: cell as CellId });
    const same = encodeJournalEntry({ kind: 'events', nowMs: 1, events: Array.from({ length: 100 }, () => one(CELL)) });
    const fresh = encodeJournalEntry({
      kind: 'events',
      nowMs: 1,
      events: Array.from({ length: 100 }, (_, i) => one(`${CELL}${i}`)),
    });
    expect(same.length).toBeLessThan(100 * 20);
    expect(fresh.length).toBeGreaterThan(same.length + 100 * CELL.length);
  });

  it('keeps its format: a batch written today reads the same bytes as the first version wrote', () => {
    const events: CarrierEvent[] = [
      { type: 'call', id: 'c1', at: 1, caller: A, callee: B, durationSec: 60, answered: true, cell: CELL },
      { type: 'report', at: 2, reporter: B, reported: A, category: ReportCategory.Spam },
    ];
    const hex = Buffer.from(encodeJournalEntry({ kind: 'events', nowMs: 3, events })).toString('hex');
    expect(hex).toBe(GOLDEN_BATCH);
    expectSame(decodeJournalEntry(Buffer.from(GOLDEN_BATCH, 'hex')), { kind: 'events', nowMs: 3, events });
  });

  it('writes every profile and category of the enums as one byte (none falls back to text)', () => {
    const size = (e: CarrierEvent) => encodeJournalEntry({ kind: 'events', nowMs: 0, events: [e] }).length;
    const subscriber = (profile: UsageProfile): CarrierEvent => ({
      type: 'subscriber',
      at: 0,
      msisdn: A,
      carrier: 'CMCC',
      activatedAt: 0,
      realNameVerified: false,
      profile,
    });
    const report = (category: ReportCategory): CarrierEvent => ({
      type: 'report',
      at: 0,
      reporter: A,
      reported: B,
      category,
    });
    expect(new Set(Object.values(UsageProfile).map((p) => size(subscriber(p))))).toEqual(
      new Set([size(subscriber(UsageProfile.None))]),
    );
    expect(new Set(Object.values(ReportCategory).map((c) => size(report(c))))).toEqual(
      new Set([size(report(ReportCategory.Fraud))]),
    );
  });

  it('round-trips random texts of every kind in batches of every size (the buffer grows mid-text)', () => {
    const rand = random(7);
    const pieces = ['a', 'Z9-', 'é', '日', '😀', '\ud800', '\udfff', ' '];
    const text = () => Array.from({ length: Math.floor(rand() * 40) }, () => pieces[Math.floor(rand() * 8)]).join('');
    for (let round = 0; round < 400; round++) {
      const events: CarrierEvent[] = Array.from({ length: 1 + Math.floor(rand() * 12) }, (_, i) => ({
        type: 'sms',
        id: text(),
        at: i,
        sender: A,
        recipient: `+${text()}` as Msisdn,
        cell: text() as CellId,
      }));
      expectSame(roundTrip({ kind: 'events', nowMs: round, events }), { kind: 'events', nowMs: round, events });
    }
    // A one-letter non-ASCII id at each offset, so one of them sits at the end of the buffer as it is written.
    for (let k = 0; k < 300; k++) {
      const events: CarrierEvent[] = [
        { type: 'police_clear', id: 'x'.repeat(k), at: 1, msisdn: A },
        { type: 'police_clear', id: 'é', at: 2, msisdn: B },
      ];
      expectSame(roundTrip({ kind: 'events', nowMs: k, events }), { kind: 'events', nowMs: k, events });
    }
  });

  it('round-trips an empty batch', () => {
    expectSame(roundTrip({ kind: 'events', nowMs: 5, events: [] }), { kind: 'events', nowMs: 5, events: [] });
  });

  it('round-trips 100k mixed events in one batch, and the population in batches, in a few dozen bytes each', () => {
    const rand = random(42);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const shapes = everyEventShape();
    const numbers = Array.from({ length: 5000 }, (_, i) => `+86139${String(i * 7919).padStart(8, '0')}` as Msisdn);
    const events: CarrierEvent[] = Array.from({ length: 100_000 }, (_, i) => {
      const e = { ...pick(shapes), at: 1_700_000_000_000 + i * 37 } as Record<string, unknown>;
      for (const field of ['msisdn', 'caller', 'callee', 'sender', 'recipient', 'reporter', 'reported'])
        if (field in e) e[field] = rand() < 0.01 ? pick(ODD_NUMBERS) : pick(numbers);
      if ('id' in e) e.id = `ev-${i}`;
      return e as unknown as CarrierEvent;
    });
    const entry: JournalEntry = { kind: 'events', nowMs: 1_700_000_000_000, events };
    const decoded = decodeJournalEntry(encodeJournalEntry(entry)) as typeof entry;
    expect(decoded.nowMs).toBe(entry.nowMs);
    expectSameEvents(decoded.events, events);

    const pop = population({ subscribers: 2000, days: 2, heavyPerMille: 10, fraudPerMille: 5, seed: 7 });
    let total = 0;
    for (let i = 0; i < pop.events.length; i += 1000) {
      const batch: JournalEntry = { kind: 'events', nowMs: 0, events: pop.events.slice(i, i + 1000) };
      const encoded = encodeJournalEntry(batch);
      total += encoded.length;
      expectSameEvents((decodeJournalEntry(encoded) as typeof batch).events, batch.events.map(inValidatorOrder));
    }
    // Calls are most of a population: type, flags, time, two numbers, a duration, a cell reference.
    expect(total / pop.events.length).toBeLessThan(40);
  });
});

describe('journal entries of commands', () => {
  const history: StoredLadderDecision[] = [
    { msisdn: A, at: 10, action: Action.Restrict, previous: Action.None, reasons: [ReasonCode.NewSegment] },
    { msisdn: B, at: 20, action: Action.Restore, previous: Action.Restrict, reasons: [ReasonCode.PoliceCleared] },
  ];
  const commands: EngineCommand[] = [
    { kind: 'directive', msisdn: A, action: Action.Suspend, atMs: 1 },
    { kind: 'directive', msisdn: A, action: Action.Restore, atMs: 2 },
    { kind: 'review', msisdn: B, atMs: 3 },
    { kind: 'impose', msisdn: B, action: Action.Warn, reason: ReasonCode.CorroboratedReports, atMs: 3 },
    { kind: 'registryChanged', msisdn: A, status: 'CONFIRMED', atMs: 4 },
    { kind: 'registryChanged', msisdn: A, status: 'NOT_LISTED', atMs: 5 },
    {
      kind: 'setHighRiskCells',
      cells: [
        { cell: CELL, from: 1, until: Number.POSITIVE_INFINITY },
        { cell: UNICODE_CELL, from: -0, until: 7 },
      ],
    },
    { kind: 'setHighRiskCells', cells: [] },
    { kind: 'declareProfile', msisdn: B, profile: UsageProfile.Courier },
    { kind: 'reviewDecided', msisdn: A, outcome: 'RESTORE', atMs: 6 },
    { kind: 'reviewDecided', msisdn: A, outcome: 'SUSPEND', atMs: 6, openedAt: 2 },
    { kind: 'appealUpheld', msisdn: '+0不是号码' as Msisdn, atMs: 7 },
    { kind: 'reactivation', msisdn: A, idVerified: false, atMs: 8 },
    { kind: 'reenableRule', policyLabel: 'budget-test@1', reason: ReasonCode.NewSegment, atMs: 9 },
    { kind: 'evictIdle', idleSinceMs: Number.NEGATIVE_INFINITY },
    { kind: 'policies', policy: DEFAULT_POLICY_V2, budgets: [] },
    {
      kind: 'policies',
      policy: validatePolicy({ ...DEFAULT_POLICY_V2, name: 'd', version: 3, humanReview: { tenureDays: 0.5 } }),
      shadow: NAIVE_POLICY,
      budgets: [
        { policyLabel: 'd@3', shadow: false, history, demoted: [{ reason: 'NEW_SEGMENT', since: 3 }], reenabled: [] },
        { policyLabel: 'naive@1', shadow: true, history: [], demoted: [], reenabled: [{ reason: 'X', at: 4 }] },
      ],
    },
  ];

  it.each(commands.map((c, i) => [`${i}: ${c.kind}`, c] as const))('round-trips %s', (_name, command) => {
    const decoded = roundTrip({ kind: 'command', command });
    expectSame(decoded, { kind: 'command', command });
    const numbers = (v: unknown): unknown[] =>
      typeof v === 'number' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(numbers) : [];
    // -0, ±Infinity are kept as themselves (JSON would give 0 and null).
    expect(numbers(decoded).every((n, i) => Object.is(n, numbers({ kind: 'command', command })[i]))).toBe(true);
  });

  it('refuses to apply a command it does not know, rather than skip it', () => {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY_V2 });
    const later = decodeJournalEntry(new Uint8Array([JOURNAL_FORMAT_VERSION, 1, ...Buffer.from('{"kind":"x"}')]));
    expect(() => replayJournalEntry(engine, undefined, later)).toThrow('journal: unknown engine command "x"');
  });

  it('covers every command kind', () => {
    expect(new Set(commands.map((c) => c.kind)).size).toBe(12);
  });

  it('refuses a command holding the key that tags numbers, rather than misreading it later', () => {
    const policy = {
      ...DEFAULT_POLICY_V2,
      description: { '$journal.number': 'Infinity' },
    } as unknown as PolicyDocument;
    expect(() => encodeJournalEntry({ kind: 'command', command: { kind: 'policies', policy, budgets: [] } })).toThrow(
      /may not hold the key/,
    );
  });
});

describe('decoding a damaged or foreign entry', () => {
  const good = encodeJournalEntry({ kind: 'events', nowMs: 1, events: everyEventShape() });

  it('starts with the format version and refuses another one', () => {
    expect(good[0]).toBe(JOURNAL_FORMAT_VERSION);
    const future = good.slice();
    future[0] = JOURNAL_FORMAT_VERSION + 1;
    expect(() => decodeJournalEntry(future)).toThrow(/format version 2: this build reads version 1 only/);
    expect(() => decodeJournalEntry(new Uint8Array())).toThrow(/empty/);
  });

  it('refuses a truncated entry, trailing bytes and an unknown kind', () => {
    expect(() => decodeJournalEntry(good.subarray(0, good.length - 1))).toThrow(/truncated/);
    expect(() => decodeJournalEntry(new Uint8Array([...good, 0]))).toThrow(/left after the entry/);
    expect(() => decodeJournalEntry(new Uint8Array([JOURNAL_FORMAT_VERSION, 9]))).toThrow(/entry kind 9 unknown/);
    const command = (json: string) => new Uint8Array([JOURNAL_FORMAT_VERSION, 1, ...new TextEncoder().encode(json)]);
    expect(() => decodeJournalEntry(command('{"kind":'))).toThrow(/its command is not JSON/);
    expect(() => decodeJournalEntry(command('[1]'))).toThrow(/its command has no kind/);
  });

  it('reads an entry that sits inside a larger buffer', () => {
    const framed = new Uint8Array(good.length + 10);
    framed.set(good, 7);
    expectSame(decodeJournalEntry(framed.subarray(7, 7 + good.length)), decodeJournalEntry(good));
  });
});

/**
 * One input of a scenario as the service takes it live: by a direct engine call (events: those the gate admits),
 * giving the engine's answers and the journal entry the service writes for it.
 */
interface Step {
  live: (engine: AnalysisEngine, gate: EventGate) => { entry: JournalEntry; results: EngineResult[] };
  /** The latest event time of the step (undefined: a command). */
  at?: number;
}

function batch(events: CarrierEvent[], nowMs = events.at(-1)?.at ?? 0): Step {
  return {
    at: Math.max(...events.map((e) => e.at)),
    live: (engine, gate) => {
      const admitted = events.filter((e) => gate.admit(e, nowMs) === 'accept');
      return { entry: { kind: 'events', nowMs, events: admitted }, results: admitted.map((e) => engine.process(e)) };
    },
  };
}

function command(cmd: EngineCommand, direct: (engine: AnalysisEngine) => EngineResult): Step {
  return { live: (engine) => ({ entry: { kind: 'command', command: cmd }, results: [direct(engine)] }) };
}

/** The replay: each entry decoded from its bytes and replayed (replayJournalEntry). */
function replay(engine: AnalysisEngine, gate: EventGate, entries: readonly Uint8Array[]): EngineResult[][] {
  return entries.map((bytes) => replayJournalEntry(engine, gate, decodeJournalEntry(bytes)));
}

const gateOf = () => new EventGate({ latenessMs: DAY, maxAheadMs: 5 * MINUTE });

/** Runs the steps live (direct calls) and through their journal entries: both answers and both engines. */
function both(policy: PolicyDocument, steps: Step[], numbers: readonly Msisdn[], shadow?: PolicyDocument) {
  const live = new AnalysisEngine({ policy, shadow });
  const liveGate = gateOf();
  const journal: Uint8Array[] = [];
  const liveResults = steps.map((s) => {
    const { entry, results } = s.live(live, liveGate);
    journal.push(encodeJournalEntry(entry));
    return results;
  });
  const replayed = new AnalysisEngine({ policy, shadow });
  const replayGate = gateOf();
  const replayResults = replay(replayed, replayGate, journal);
  expect(JSON.stringify(replayResults)).toBe(JSON.stringify(liveResults));
  expect(replayGate.newest).toBe(liveGate.newest);
  const at = Math.max(...steps.flatMap((s) => (s.at === undefined ? [] : [s.at])));
  for (const m of numbers) {
    expect(replayed.levelOf(m, at)).toBe(live.levelOf(m, at));
    expect(JSON.stringify(replayed.primary.standingOf(msisdnKey(m)))).toBe(
      JSON.stringify(live.primary.standingOf(msisdnKey(m))),
    );
    expectSame(replayed.features(m, at), live.features(m, at));
  }
  expect(replayed.primary.label).toBe(live.primary.label);
  expect(replayed.primary.demoted).toBe(live.primary.demoted);
  expect(replayed.shadow?.label).toBe(live.shadow?.label);
  const decisions = (results: EngineResult[][]): Decision[] => results.flat().flatMap((r) => r.decisions);
  return { live, liveResults, decisions: decisions(liveResults) };
}

describe('applyCommand: a replay of the journal reproduces the live engine', () => {
  it('processes every journalled event, whatever a gate that has seen them answers now', () => {
    const worker = reportedWorker();
    const events = worker.events.map((e, i) => withId(e, `w-${i}`)).sort((a, b) => a.at - b.at);
    const nowMs = events[events.length - 1].at;
    const live = new AnalysisEngine({ policy: DEFAULT_POLICY_V2 });
    const expected = events.map((e) => live.process(e));
    const seen = gateOf();
    for (const e of events) seen.admit(e, nowMs);
    const replayed = new AnalysisEngine({ policy: DEFAULT_POLICY_V2 });
    const entry = decodeJournalEntry(encodeJournalEntry({ kind: 'events', nowMs, events }));
    expect(events.every((e) => seen.admit(e, nowMs) === 'duplicate')).toBe(true);
    expect(JSON.stringify(replayJournalEntry(replayed, seen, entry))).toBe(JSON.stringify(expected));
    expect(expected.some((r) => r.decisions.length > 0)).toBe(true);
  });

  it('replays the long-held worker reviewed, restored, directed, listed, appealed, re-activated, re-policied', () => {
    const review = validatePolicy({ ...DEFAULT_POLICY_V2, name: 'review-test', version: 1, humanReview: {} });
    const worker = reportedWorker();
    const { subject } = worker;
    const [, suspendingReport] = worker.reportedAt;
    const events = [...worker.events].sort((a, b) => a.at - b.at);
    const subscribers = events.flatMap((e) => (e.type === 'subscriber' ? [e.msisdn] : []));
    const other = subscribers.find((m) => m !== subject) as Msisdn;
    const t = suspendingReport;
    const steps: Step[] = [];
    for (let i = 0; i < events.length; i += 7) steps.push(batch(events.slice(i, i + 7)));
    steps.push(
      command({ kind: 'reviewDecided', msisdn: subject, outcome: 'RESTORE', atMs: t + HOUR, openedAt: t }, (e) =>
        e.reviewDecided(subject, 'RESTORE', t + HOUR, t),
      ),
      command({ kind: 'reviewDecided', msisdn: subject, outcome: 'SUSPEND', atMs: t + 2 * HOUR }, (e) =>
        e.reviewDecided(subject, 'SUSPEND', t + 2 * HOUR),
      ),
      command({ kind: 'directive', msisdn: subject, action: Action.Suspend, atMs: t + 3 * HOUR }, (e) =>
        e.directive(subject, Action.Suspend, t + 3 * HOUR),
      ),
      command({ kind: 'appealUpheld', msisdn: subject, atMs: t + 4 * HOUR }, (e) =>
        e.appealUpheld(subject, t + 4 * HOUR),
      ),
      command({ kind: 'registryChanged', msisdn: subject, status: 'CONFIRMED', atMs: t + 5 * HOUR }, (e) =>
        e.registryChanged(subject, 'CONFIRMED', t + 5 * HOUR),
      ),
      command({ kind: 'reactivation', msisdn: subject, idVerified: true, atMs: t + 6 * HOUR }, (e) =>
        e.reactivation(subject, true, t + 6 * HOUR),
      ),
      command({ kind: 'directive', msisdn: subject, action: Action.Restore, atMs: t + 7 * HOUR }, (e) =>
        e.directive(subject, Action.Restore, t + 7 * HOUR),
      ),
      command({ kind: 'registryChanged', msisdn: subject, status: 'CLEARED', atMs: t + 8 * HOUR }, (e) =>
        e.registryChanged(subject, 'CLEARED', t + 8 * HOUR),
      ),
      command({ kind: 'declareProfile', msisdn: subject, profile: UsageProfile.Logistics }, (e) =>
        e.declareProfile(subject, UsageProfile.Logistics),
      ),
      command({ kind: 'setHighRiskCells', cells: [] }, (e) => e.setHighRiskCells([])),
      command({ kind: 'review', msisdn: subject, atMs: t + 9 * HOUR }, (e) => e.review(subject, t + 9 * HOUR)),
      command(
        { kind: 'impose', msisdn: subject, action: Action.Restrict, reason: ReasonCode.Directive, atMs: t + 9 * HOUR },
        (e) => e.impose(subject, Action.Restrict, ReasonCode.Directive, t + 9 * HOUR),
      ),
      command({ kind: 'policies', policy: DEFAULT_POLICY_V1, shadow: NAIVE_POLICY, budgets: [] }, (e) => {
        e.usePolicies(DEFAULT_POLICY_V1, NAIVE_POLICY);
        return { decisions: [] };
      }),
      // A retried event (a duplicate) and one too late: the gate refuses them, the journal holds neither.
      batch(
        [
          { type: 'police_clear', id: 'retried', at: t + DAY, msisdn: subject },
          { type: 'police_clear', id: 'retried', at: t + DAY, msisdn: subject },
          { type: 'police_clear', at: t - 3 * DAY, msisdn: subject },
        ],
        t + DAY,
      ),
      // The worker's day again, a day later, under the new policies.
      batch(events.filter((e) => e.type !== 'subscriber').map((e) => ({ ...e, at: e.at + DAY }))),
      command({ kind: 'directive', msisdn: other, action: Action.Suspend, atMs: t + 2 * DAY }, (e) =>
        e.directive(other, Action.Suspend, t + 2 * DAY),
      ),
      command({ kind: 'registryChanged', msisdn: other, status: 'NOT_LISTED', atMs: t + 2 * DAY }, (e) =>
        e.registryChanged(other, 'NOT_LISTED', t + 2 * DAY),
      ),
      command({ kind: 'evictIdle', idleSinceMs: t + 40 * DAY }, (e) => ({
        decisions: [],
        evicted: e.evictIdle(t + 40 * DAY),
      })),
    );
    const { decisions, liveResults } = both(review, steps, subscribers);
    // Of the retried and the late event, only the first copy of the retried one was admitted and journalled.
    expect(liveResults.at(-5)).toHaveLength(1);
    const commandResults = liveResults.slice(-18).flat();
    expect(commandResults.map((r) => r.review).filter(Boolean)).toEqual(['DECIDED', 'MOVED_ON']);
    expect(commandResults.some((r) => r.confirmedFraud)).toBe(true);
    expect(commandResults.at(-1)).toEqual({ decisions: [], evicted: expect.any(Number) });
    expect(commandResults.filter((r) => r.decisions.length > 0).length).toBeGreaterThanOrEqual(5);
    expect(decisions.filter((d) => d.shadow).length).toBeGreaterThan(0);
  });

  it('a population with an error budget: demotions, a re-enable and a policy switch that rebuilds the budget', () => {
    const policy = validatePolicy({
      ...DEFAULT_POLICY_V2,
      name: 'budget-test',
      version: 1,
      curve: 'step',
      weights: { ...DEFAULT_POLICY_V2.weights, [ReasonCode.NewSegment]: 0.7, [ReasonCode.NewNumber]: 0.7 },
      gates: { ...DEFAULT_POLICY_V2.gates, weakEvidenceCap: Action.Suspend },
      errorBudget: { windowDays: 30, minMistakes: 3, share: 0.05 },
    });
    const pop = population({ subscribers: 400, days: 1, heavyPerMille: 20, fraudPerMille: 10, seed: 11 });
    const end = pop.events.at(-1)?.at ?? 0;
    const victims = Array.from({ length: 4 }, (_, i) => `+86165${String(i).padStart(8, '0')}` as Msisdn);
    const old = end - 400 * DAY;
    const steps: Step[] = [];
    for (let i = 0; i < pop.events.length; i += 500) steps.push(batch(pop.events.slice(i, i + 500)));
    steps.push(
      batch(
        victims.flatMap((m, i): CarrierEvent[] => [
          {
            type: 'subscriber',
            at: old,
            msisdn: m,
            carrier: 'CTCC',
            activatedAt: old,
            realNameVerified: true,
            profile: UsageProfile.None,
          },
          { type: 'call', at: end + i * MINUTE, caller: m, callee: A, durationSec: 60, answered: true },
        ]),
      ),
      batch(victims.map((msisdn, i) => ({ type: 'police_clear', at: end + HOUR + i * MINUTE, msisdn }))),
      command(
        { kind: 'reenableRule', policyLabel: 'budget-test@1', reason: ReasonCode.NewSegment, atMs: end + 2 * HOUR },
        (e) => e.reenableRule('budget-test@1', ReasonCode.NewSegment, end + 2 * HOUR),
      ),
    );
    const { decisions, liveResults } = both(policy, steps, [...victims, ...pop.heavy, ...pop.fraud]);
    const history: StoredLadderDecision[] = decisions
      .filter((d) => !d.shadow && d.action !== Action.Report)
      .map(({ msisdn, at, action, previous, reasons }) => ({ msisdn, at, action, previous, reasons }));
    const results = liveResults.flat();
    expect(results.some((r) => r.demotions && r.demotions.length > 0)).toBe(true);
    expect(liveResults.at(-1)?.[0].reenabled).toEqual([
      { at: end + 2 * HOUR, policy: 'budget-test@1', shadow: false, reason: ReasonCode.NewSegment },
    ]);

    // A switch to another policy and back, its budget rebuilt from the stored decisions, inside the journal entry.
    const rebuilt = { policyLabel: 'budget-test@1', shadow: false, history, demoted: [], reenabled: [] };
    const switched: Step[] = [
      ...steps,
      command({ kind: 'policies', policy: DEFAULT_POLICY_V2, shadow: policy, budgets: [] }, (e) => {
        e.usePolicies(DEFAULT_POLICY_V2, policy);
        return { decisions: [] };
      }),
      command(
        {
          kind: 'policies',
          policy,
          budgets: [
            rebuilt,
            { ...rebuilt, shadow: true },
            {
              policyLabel: 'budget-test@1',
              shadow: false,
              history,
              demoted: [{ reason: 'NEW_NUMBER', since: end }],
              reenabled: [],
            },
          ],
        },
        (e) => {
          e.usePolicies(policy);
          e.rebuildBudget('budget-test@1', false, history, [], []);
          e.rebuildBudget('budget-test@1', true, history, [], []);
          e.rebuildBudget('budget-test@1', false, history, [{ reason: 'NEW_NUMBER', since: end }], []);
          return { decisions: [] };
        },
      ),
      batch(
        victims.map((m, i) => ({
          type: 'call',
          at: end + 3 * HOUR + i,
          caller: m,
          callee: B,
          durationSec: 1,
          answered: false,
        })),
      ),
    ];
    const again = both(policy, switched, victims);
    expect(again.live.primary.demoted).not.toBe(0);
  });
});
