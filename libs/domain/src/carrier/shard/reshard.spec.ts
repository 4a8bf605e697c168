import type { Msisdn } from '../../msisdn';
import { AnalysisEngine, msisdnKey, type EngineOptions } from '../engine';
import { EventGate } from '../event-gate';
import { UsageProfile, type CarrierEvent } from '../events';
import { HIGH_RISK } from '../fixtures/article';
import { highRiskCellWorker } from '../fixtures/fraud';
import { merged, SHARD_CONFIGS, SHARD_GATE, ShardedCarrier } from '../fixtures/sharded-carrier';
import { DEFAULT_POLICY_V4 } from '../policy';
import { CarrierShard, runRound } from './carrier-shard';
import { partitionOf } from './partition';
import { reshard, type ShardImage } from './reshard';

/** Where the carrier stops to be re-sharded, as a share of its log entries. */
const CUTS = [0.2, 0.5, 0.85];
/** From how many shards to how many. */
const MOVES: [number, number][] = [
  [1, 3],
  [3, 2],
  [2, 5],
  [3, 1],
];

/** What each shard stores when it stops after the cut: its engine's image and its gate's. */
function imagesOf(shards: readonly CarrierShard[], entry: number): ShardImage[] {
  return shards.map((shard) => ({
    entry,
    engine: shard.engine.saveImage(),
    gate: (shard.gate as EventGate).saveImage(),
  }));
}

/** New shards loaded from re-sharded images, as a restarted carrier would load them. */
function shardsOf(options: EngineOptions, images: readonly ShardImage[]): CarrierShard[] {
  return images.map(
    (image, index) =>
      new CarrierShard(
        AnalysisEngine.fromImage(options, image.engine),
        { index, count: images.length },
        EventGate.fromImage(SHARD_GATE, image.gate),
      ),
  );
}

/** The index of the first line where two logs differ (-1: none). */
function firstDifference(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if (a[i] !== b[i]) return i;
  return -1;
}

function expectSameLog(log: readonly string[], expected: readonly string[]): void {
  expect(log.length).toBe(expected.length);
  const i = firstDifference(log, expected);
  if (i >= 0) expect([i, log[i]]).toEqual([i, expected[i]]);
}

/** Runs the carrier on `from` shards up to log entry `after`, hands the shards to `then`, and goes on. */
function runCut(
  options: EngineOptions,
  from: number,
  after: number,
  then: (images: ShardImage[], shards: readonly CarrierShard[]) => CarrierShard[],
): ShardedCarrier {
  const carrier = new ShardedCarrier(options, from, {
    after,
    then: (shards) => then(imagesOf(shards, after), shards),
  });
  carrier.run();
  return carrier;
}

describe('re-sharding a carrier offline', () => {
  describe.each(SHARD_CONFIGS)('under %s', (_name, options) => {
    const one = new ShardedCarrier(options, 1);
    one.run();
    const plain = new ShardedCarrier(options, 0);
    plain.run();

    it('the runs compared with are one log', () => {
      expectSameLog(plain.log, one.log);
      expect(one.entries).toBeGreaterThan(100);
    });

    describe.each(MOVES)('from %i shards to %i', (from, to) => {
      it.each(CUTS)('stopped after %p of the log, goes on deciding exactly what one engine does', (share) => {
        const after = Math.round(one.entries * share);
        let kept = { before: 0, after: 0 };
        const carrier = runCut(options, from, after, (images, shards) => {
          const next = reshard(options, images, { from, to });
          expect(next.map((image) => image.entry)).toEqual(new Array(to).fill(after));
          const loaded = shardsOf(options, next);
          // Each new shard keeps the numbers of its partition, and every number kept before is kept once.
          const before = shards.map((shard) => shard.engine.keptNumbers());
          const numbers = loaded.map((shard) => shard.engine.keptNumbers());
          numbers.forEach((keys, k) => {
            for (const key of keys) expect(partitionOf(key, to)).toBe(k);
          });
          kept = { before: before.reduce((n, s) => n + s.size, 0), after: numbers.reduce((n, s) => n + s.size, 0) };
          expect(new Set(numbers.flatMap((s) => [...s]))).toEqual(new Set(before.flatMap((s) => [...s])));
          return loaded;
        });
        expect(kept.before).toBeGreaterThan(100);
        expect(kept.after).toBe(kept.before);
        expect(carrier.shards.length).toBe(to);
        expectSameLog(carrier.log, one.log);
        expectSameLog(carrier.log, plain.log);
      });
    });
  });

  describe('its proof would catch a number left behind', () => {
    const [, options] = SHARD_CONFIGS[0];
    const one = new ShardedCarrier(options, 1);
    one.run();

    it.each(MOVES)('from %i shards to %i, one number dropped, the log differs', (from, to) => {
      const after = Math.round(one.entries / 2);
      let dropped = 0;
      const carrier = runCut(options, from, after, (images) => {
        const next = reshard(options, images, { from, to });
        // A broken re-shard: one number on a step, with a term still to end, loses its records.
        const engines = next.map((image) => AnalysisEngine.fromImage(options, image.engine));
        const k = engines.findIndex((engine) => victimOf(engine) !== undefined);
        dropped = victimOf(engines[k]) as number;
        engines[k].keepNumbers((key) => key !== dropped);
        next[k] = { ...next[k], engine: engines[k].saveImage() };
        return shardsOf(options, next);
      });
      expect(dropped).toBeGreaterThan(0);
      expect(firstDifference(carrier.log, one.log)).toBeGreaterThanOrEqual(0);
    });
  });

  it("a number's cells keep their names on the shard it moves to", () => {
    const options: EngineOptions = { policy: DEFAULT_POLICY_V4 };
    const fixture = highRiskCellWorker();
    const gang = msisdnKey(fixture.subject);
    // The gang's shard is not shard 0, whose numbering of cells the new shard starts from.
    const from = [2, 3, 4, 5].find((n) => partitionOf(gang, n) !== 0) as number;
    const home = partitionOf(gang, from);
    // A subscriber of the gang's shard called from a cell before any list named the high-risk ones: that shard
    // numbers its cells apart from shard 0.
    let other = 0;
    while (partitionOf(13_300_000_000 + other, from) !== home) other++;
    const caller = `+${13_300_000_000 + other}` as Msisdn;
    const first = Math.min(...fixture.events.map((e) => e.at));
    const events: CarrierEvent[] = [
      {
        type: 'subscriber',
        at: first,
        msisdn: caller,
        carrier: 'CTCC',
        activatedAt: first,
        realNameVerified: true,
        profile: UsageProfile.None,
      },
      { type: 'call', at: first, caller, callee: '+8613300009999' as Msisdn, answered: true, durationSec: 60 },
      ...fixture.events,
    ].map((e) => (e.type === 'call' && e.caller === caller ? { ...e, cell: '460-11-99999-9' } : e)) as CarrierEvent[];
    const plain = new AnalysisEngine(options);
    const expected = events.map((e) => JSON.stringify(plain.process(e).decisions));
    // Cut in the middle of the gang's stay at the high-risk cell, before any decision: after its second sighting there.
    const cut = events.flatMap((e, i) => (e.type === 'location' ? [i] : []))[1] + 1;
    const run = (shards: readonly CarrierShard[], part: readonly CarrierEvent[]) =>
      part.map((e) => JSON.stringify(merged(runRound(shards, { kind: 'events', events: [e], first: 0 }), 0).decisions));
    const olds = Array.from(
      { length: from },
      (_, index) => new CarrierShard(new AnalysisEngine(options), { index, count: from }),
    );
    const gate = new EventGate(SHARD_GATE).saveImage();
    const before = run(olds, events.slice(0, cut));
    const images = olds.map((shard) => ({ entry: cut, engine: shard.engine.saveImage(), gate }));
    const after = run(shardsOf(options, reshard(options, images, { from, to: 1 })), events.slice(cut));
    expect([...before, ...after]).toEqual(expected);
    expect(before.every((d) => d === '[]')).toBe(true);
    // What proves it: decisions after the cut name the cell of the stay before it.
    expect(events[cut - 1]).toMatchObject({ type: 'location', msisdn: fixture.subject, cell: HIGH_RISK[1] });
    expect(after.some((d) => d.includes(HIGH_RISK[1]))).toBe(true);
  });

  describe('refuses images that do not fit together', () => {
    const [, options] = SHARD_CONFIGS[0];
    const at = (after: number) => {
      let taken: ShardImage[] = [];
      runCut(options, 3, after, (images, shards) => {
        taken = images;
        return [...shards];
      });
      return taken;
    };
    const whole = new ShardedCarrier(options, 1);
    whole.run();
    const images = at(300);
    const later = at(301);
    // Far enough on that the carrier's own state moved: registry changes, new high-risk lists, budget counts.
    const far = at(whole.entries - 5);

    it('a count other than the shards it ran on', () => {
      expect(() => reshard(options, images.slice(1), { from: 3, to: 2 })).toThrow('reshard: 2 images for 3 shards');
      expect(() => reshard(options, images, { from: 2, to: 2 })).toThrow('reshard: 3 images for 2 shards');
      expect(() => reshard(options, images, { from: 3, to: 0 })).toThrow('reshard: 0 shards (to)');
    });

    it('images of different log entries', () => {
      const mixed = [images[0], later[1], images[2]];
      expect(() => reshard(options, mixed, { from: 3, to: 2 })).toThrow(
        'reshard: shard 1 stopped after log entry 301, shard 0 after 300',
      );
      // Said to be of the same entry, with another gate.
      expect(() => reshard(options, [images[0], { ...later[1], entry: 300 }, images[2]], { from: 3, to: 2 })).toThrow(
        "reshard: the gate of shard 1 differs from shard 0's: images of different log entries",
      );
      // The same gate, an engine from another entry.
      const engine = { ...images[1], engine: far[1].engine };
      const differs = () => reshard(options, [images[0], engine, images[2]], { from: 3, to: 2 });
      expect(differs).toThrow(/^reshard: shards 0 and 1 differ in .*: images of different log entries\?$/);
    });

    it('images out of shard order', () => {
      expect(() => reshard(options, [images[1], images[0], images[2]], { from: 3, to: 2 })).toThrow(
        /^reshard: the image of shard 0 of 3 keeps \+\d+, a number of shard 1: images out of order/,
      );
    });

    it('images of other policies', () => {
      expect(() => reshard(SHARD_CONFIGS[1][1], images, { from: 3, to: 2 })).toThrow('engine image taken under');
    });
  });
});

/** A number the engine keeps on a step with a term still to end, if any: its lapse is a decision still to come. */
function victimOf(engine: AnalysisEngine): number | undefined {
  for (const key of engine.keptNumbers()) {
    const standing = engine.primary.standingOf(key);
    if (standing !== undefined && Number.isFinite(standing.termEnds)) return key;
  }
  return undefined;
}
