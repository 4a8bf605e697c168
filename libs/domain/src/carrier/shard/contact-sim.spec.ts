import {
  ActivityStore,
  BASE_COUNTERS,
  DEFAULT_LAYOUT,
  OUT_ANSWERED,
  OUT_HIGH_RISK,
  OUT_NEW_CONTACT,
  OUT_SMS,
  type ActivityLayout,
} from '../activity-store';
import { ImageWriter } from '../image';
import { ContactSim } from './contact-sim';

const TWO_32 = 4_294_967_296;

/** Pseudo-random whole numbers below `n`, the same on every run (mulberry32: low bits as random as high ones). */
function randomFrom(seed: number): (n: number) => number {
  let state = seed >>> 0;
  return (n) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n) >>> 0;
  };
}

/** The store's bytes as its image: equal images, the same store. */
function imageOf(store: ActivityStore): Buffer {
  const w = new ImageWriter(1 << 16);
  store.writeImage(w);
  return Buffer.concat(w.finish());
}

/**
 * Numbers that share their low 32 bits across high parts, sit at the edges of 2^32, and reach 15 digits, so that a
 * ring's peer is told apart by its high part and not its low bits alone.
 */
const NUMBERS = [
  12_345,
  TWO_32 - 1,
  TWO_32,
  TWO_32 + 12_345,
  3 * TWO_32 + 12_345,
  100_000 * TWO_32 + 12_345,
  8_613_800_000_001,
  8_613_800_000_002,
  8_613_900_000_001,
  999_999_999_999_998,
  999_999_999_999_999,
];
/** More callers than the default inbound ring holds, so that it makes room too. */
const PASSERS = Array.from({ length: 10 }, (_, i) => 8_613_700_000_000 + i);
/** Numbers no ring ever holds: one whose high part no store has seen, one that shares a low part with others. */
const STRANGERS = [7 * TWO_32 + 12_345, 12_346];

const SMALL: ActivityLayout = { outbound: 4, inbound: 3, reports: 2, sightings: 2 };
const TINY: ActivityLayout = { outbound: 1, inbound: 1, reports: 1, sightings: 1 };
/** Sizes off the doubling classes (2, 4, 5 and 2, 4, 7): the last growth is not a doubling. */
const ODD: ActivityLayout = { outbound: 5, inbound: 7, reports: 3, sightings: 2 };

type Op =
  | { kind: 'ensure'; key: number; atSec: number }
  | { kind: 'inbound'; key: number; peer: number; atSec: number }
  | { kind: 'outbound'; key: number; peer: number; atSec: number; flags: number; durationSec: number; cell: number }
  | { kind: 'forget'; key: number };

interface Query {
  key: number;
  peer: number;
  sinceSec: number;
}

function applyToStore(store: ActivityStore, op: Op): void {
  if (op.kind === 'forget') return store.forget(op.key);
  const slot = store.ensure(op.key, op.atSec);
  if (op.kind === 'inbound') store.noteInbound(slot, op.peer, op.atSec);
  if (op.kind === 'outbound') {
    const { atSec, peer, durationSec, flags, cell } = op;
    store.pushOutbound(slot, atSec, peer, durationSec, flags, cell, flags & 3);
  }
}

function applyToSim(sim: ContactSim, op: Op): void {
  if (op.kind === 'forget') return sim.forget(op.key);
  sim.ensure(op.key);
  if (op.kind === 'inbound') sim.noteInbound(op.key, op.peer, op.atSec);
  if (op.kind === 'outbound') sim.pushOutbound(op.key, op.peer, op.atSec);
}

/** The three answers about one query: hasSlot, heardFrom, foundOutbound. */
function simAnswers(sim: ContactSim, { key, peer, sinceSec }: Query): boolean[] {
  return [sim.hasSlot(key), sim.heardFrom(key, peer, sinceSec), sim.foundOutbound(key, peer, sinceSec)];
}

function storeAnswers(store: ActivityStore, { key, peer, sinceSec }: Query): boolean[] {
  const slot = store.slotOf(key);
  return [
    slot >= 0,
    slot >= 0 && store.heardFrom(slot, peer, sinceSec),
    slot >= 0 && store.findOutbound(slot, peer, sinceSec) >= 0,
  ];
}

/**
 * Rounds as a shard plays them: the simulation first answers every query of the round at its place (ops before it
 * applied), leaving the store as it was; then the store applies the round and must give the same answers at each
 * place. Between rounds the store sometimes evicts idle numbers. Returns every difference found.
 */
function playRounds(layout: ActivityLayout, counters: number, seed: number, rounds: number): string[] {
  const random = randomFrom(seed);
  const store = new ActivityStore(layout, counters, 16);
  const sim = new ContactSim(store);
  const pool = NUMBERS.filter(() => random(3) !== 0);
  const keys = pool.length > 1 ? pool : NUMBERS.slice(0, 4);
  const peers = [...keys, ...NUMBERS.slice(0, 3), ...PASSERS, ...STRANGERS];
  const pick = <T>(from: readonly T[]): T => from[random(from.length)];
  const recent: number[] = [];
  let now = 10_000;
  const differences: string[] = [];
  const flagChoices = [0, OUT_SMS, OUT_ANSWERED, OUT_NEW_CONTACT | OUT_ANSWERED, OUT_HIGH_RISK];

  for (let round = 0; round < rounds; round++) {
    const ops: Op[] = [];
    const queries: Query[][] = [];
    const length = 50 + random(300);
    for (let n = 0; n < length; n++) {
      now += random(4) === 0 ? random(40) : 0;
      // Now and then late: times out of order, in both rings.
      const atSec = random(6) === 0 ? now - random(120) : now;
      recent.push(atSec);
      if (recent.length > 16) recent.shift();
      const key = pick(keys);
      const kind = random(10);
      if (kind === 0) ops.push({ kind: 'ensure', key, atSec });
      else if (kind <= 3) ops.push({ kind: 'inbound', key, peer: pick(peers), atSec });
      else if (kind <= 8) {
        const flags = pick(flagChoices) | (random(4) << 6);
        ops.push({ kind: 'outbound', key, peer: pick(peers), atSec, flags, durationSec: random(100_000), cell: n });
      } else ops.push({ kind: 'forget', key: pick([...keys, ...STRANGERS]) });
      const asked: Query[] = [];
      for (let q = 0; q < 4; q++) {
        const since = [0, now - random(90), pick(recent), pick(recent) + 1, now + random(3)][random(5)];
        asked.push({ key: pick([...keys, ...STRANGERS]), peer: pick(peers), sinceSec: since });
      }
      queries.push(asked);
    }

    const before = imageOf(store);
    sim.reset();
    const expected = ops.map((op, n) => {
      const answers = queries[n].map((query) => simAnswers(sim, query));
      applyToSim(sim, op);
      return answers;
    });
    if (!imageOf(store).equals(before))
      differences.push(`seed ${seed} round ${round}: the simulation changed the store`);

    ops.forEach((op, n) => {
      queries[n].forEach((query, q) => {
        const actual = storeAnswers(store, query);
        if (actual.some((answer, a) => answer !== expected[n][q][a]))
          differences.push(
            `seed ${seed} round ${round} op ${n} (before ${JSON.stringify(op)}): ${JSON.stringify(query)} ` +
              `[hasSlot, heardFrom, foundOutbound] store ${JSON.stringify(actual)}, ` +
              `simulated ${JSON.stringify(expected[n][q])}`,
          );
      });
      applyToStore(store, op);
    });
    if (random(4) === 0) store.evict(now - random(300));
  }
  return differences;
}

describe(ContactSim.name, () => {
  const layouts: [string, ActivityLayout][] = [
    ['small', SMALL],
    ['default', DEFAULT_LAYOUT],
    ['tiny', TINY],
    ['odd', ODD],
  ];

  it.each(layouts)('answers as the store does at every place of a round (%s layout)', (_, layout) => {
    const differences: string[] = [];
    for (let seed = 1; seed <= 25; seed++) {
      // Two counters fit an entry's flags (light numbers count in their ring); three give every number buckets.
      const counters = BASE_COUNTERS + (seed % 2 === 0 ? 2 : 3);
      differences.push(...playRounds(layout, counters, seed, 8));
    }
    expect(differences.slice(0, 10)).toEqual([]);
  });

  it('makes room in a full inbound ring at the first of its oldest entries, in place', () => {
    const store = new ActivityStore(SMALL, BASE_COUNTERS, 16);
    const a = 8_613_800_000_001;
    const slot = store.ensure(a, 10);
    store.noteInbound(slot, 1001, 10);
    store.noteInbound(slot, 1002, 5);
    store.noteInbound(slot, 1003, 5);
    const sim = new ContactSim(store);
    // 1002 and 1003 tie as the oldest: the first of them (position 1) makes room.
    sim.noteInbound(a, 1004, 20);
    expect([1001, 1002, 1003, 1004].map((peer) => sim.heardFrom(a, peer, 0))).toEqual([true, false, true, true]);
    // A known peer's time moves, whatever its age: 1003 is no longer the oldest, 1001 is.
    sim.noteInbound(a, 1003, 30);
    sim.noteInbound(a, 1005, 1);
    expect([1001, 1003, 1004, 1005].map((peer) => sim.heardFrom(a, peer, 0))).toEqual([false, true, true, true]);
    expect([sim.heardFrom(a, 1005, 1), sim.heardFrom(a, 1005, 2), sim.heardFrom(a, 1003, 30)]).toEqual([
      true,
      false,
      true,
    ]);
    // The store played the same: the same entries at the same places.
    for (const [peer, at] of [
      [1004, 20],
      [1003, 30],
      [1005, 1],
    ])
      store.noteInbound(slot, peer, at);
    const peers = new Float64Array(SMALL.inbound);
    const times = new Uint32Array(SMALL.inbound);
    expect(store.inboundEntries(slot, peers, times)).toBe(3);
    expect([Array.from(peers), Array.from(times)]).toEqual([
      [1005, 1004, 1003],
      [1, 20, 30],
    ]);
  });

  it('keeps who reached a forgotten number and empties its calls and texts, without touching the store', () => {
    const store = new ActivityStore(SMALL, BASE_COUNTERS, 16);
    const a = 8_613_800_000_001;
    const b = 8_613_900_000_001;
    const slot = store.ensure(a, 100);
    store.noteInbound(slot, b, 100);
    store.pushOutbound(slot, 100, b, 30, 0, -1);
    const sim = new ContactSim(store);
    sim.forget(a);
    expect([sim.hasSlot(a), sim.heardFrom(a, b, 0), sim.foundOutbound(a, b, 0)]).toEqual([true, true, false]);
    expect(store.findOutbound(slot, b, 0)).toBeGreaterThanOrEqual(0);
    // A number without a slot has nothing to forget, and keeps no slot.
    sim.forget(b);
    expect(sim.hasSlot(b)).toBe(false);
    // A new round reads the store again.
    sim.reset();
    expect(sim.foundOutbound(a, b, 0)).toBe(true);
  });

  it('stops looking for a call at the first entry, newest first by place, that is older than asked', () => {
    const store = new ActivityStore(SMALL, BASE_COUNTERS, 16);
    const a = 8_613_800_000_001;
    const b = 8_613_900_000_001;
    const c = 8_613_900_000_002;
    const slot = store.ensure(a, 100);
    store.pushOutbound(slot, 100, b, 30, 0, -1);
    const sim = new ContactSim(store);
    // Pushed after b's, though earlier: it stands between the newest end and b's.
    sim.pushOutbound(a, c, 50);
    expect([sim.foundOutbound(a, b, 60), sim.foundOutbound(a, b, 50), sim.foundOutbound(a, c, 50)]).toEqual([
      false,
      true,
      true,
    ]);
    store.pushOutbound(slot, 50, c, 30, 0, -1);
    expect([store.findOutbound(slot, b, 60), store.findOutbound(slot, b, 50) >= 0]).toEqual([-1, true]);
    // A full ring drops its oldest by place (b's), duplicates included.
    for (const at of [51, 52, 53]) sim.pushOutbound(a, c, at);
    expect([sim.foundOutbound(a, b, 0), sim.foundOutbound(a, c, 53)]).toEqual([false, true]);
  });

  it('tells peers apart by their high part, across more than 256 ranges of 2^32 numbers', () => {
    const store = new ActivityStore(DEFAULT_LAYOUT, BASE_COUNTERS, 16);
    const a = 8_613_800_000_001;
    const slot = store.ensure(a, 100);
    // 300 high parts: the store's indexes of them widen from 8 bits to 16 on the way.
    for (let high = 1; high <= 300; high++) store.pushOutbound(slot, 100 + high, high * TWO_32 + 7, 1, 0, -1);
    store.noteInbound(slot, 300 * TWO_32 + 7, 500);
    const sim = new ContactSim(store);
    sim.noteInbound(a, 299 * TWO_32 + 7, 501);
    expect([
      sim.heardFrom(a, 300 * TWO_32 + 7, 500),
      sim.heardFrom(a, 299 * TWO_32 + 7, 501),
      sim.heardFrom(a, 7, 0),
      sim.foundOutbound(a, 300 * TWO_32 + 7, 400),
      sim.foundOutbound(a, 269 * TWO_32 + 7, 0),
      sim.foundOutbound(a, 268 * TWO_32 + 7, 0),
      sim.foundOutbound(a, 301 * TWO_32 + 7, 0),
    ]).toEqual([true, true, false, true, true, false, false]);
  });

  it('gives a number ensured in the round a slot with empty rings, and needs a slot for what it records', () => {
    const store = new ActivityStore(SMALL, BASE_COUNTERS, 16);
    const a = 8_613_800_000_001;
    const sim = new ContactSim(store);
    expect(() => sim.noteInbound(a, 1, 10)).toThrow(/no slot/);
    expect(() => sim.ensure(-1)).toThrow(RangeError);
    sim.ensure(a);
    sim.pushOutbound(a, 1, 10);
    expect([sim.hasSlot(a), store.slotOf(a), sim.foundOutbound(a, 1, 10), sim.heardFrom(a, 1, 0)]).toEqual([
      true,
      -1,
      true,
      false,
    ]);
    sim.reset();
    expect(sim.hasSlot(a)).toBe(false);
  });
});
