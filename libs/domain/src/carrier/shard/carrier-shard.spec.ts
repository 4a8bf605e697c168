import type { Msisdn } from '../../msisdn';
import { AnalysisEngine, msisdnKey } from '../engine';
import type { CarrierEvent } from '../events';
import { SERVICE_RUN_ANSWERS } from '../fixtures/service-run';
import { SHARD_CONFIGS as CONFIGS, ShardedCarrier } from '../fixtures/sharded-carrier';
import { Action, DEFAULT_POLICY_V4 } from '../policy';
import { CarrierShard, roundsOf, runRound } from './carrier-shard';
import { partitionOf } from './partition';

describe('carrier shards', () => {
  describe.each(CONFIGS)('under %s', (_name, options) => {
    const one = new ShardedCarrier(options, 1);
    one.run();

    it.each([2, 3, 5])('%i shards decide exactly what one does, entry by entry', (count) => {
      const many = new ShardedCarrier(options, count);
      many.run();
      expect(many.log.length).toBe(one.log.length);
      for (let i = 0; i < one.log.length; i++)
        if (many.log[i] !== one.log[i]) expect([i, many.log[i]]).toEqual([i, one.log[i]]);
      // The shards needed one another: facts crossed between them.
      expect(many.factsGiven).toBeGreaterThan(100);
    });

    it('any number of shards decides what one engine that is no shard does', () => {
      // Where a demotion starts to weigh may differ (the end of its round, see CarrierShard): in this log every
      // restore that trips one is an entry of its own, so nothing differs.
      const plain = new ShardedCarrier(options, 0);
      plain.run();
      expect(plain.log.length).toBe(one.log.length);
      for (let i = 0; i < one.log.length; i++)
        if (plain.log[i] !== one.log[i]) expect([i, one.log[i]]).toEqual([i, plain.log[i]]);
    });
  });

  it('the runs cover what crosses between shards', () => {
    const logs = CONFIGS.map(([, options]) => {
      const carrier = new ShardedCarrier(options, 3);
      carrier.run();
      return carrier.log.join('\n');
    }).join('\n');
    const missing = SERVICE_RUN_ANSWERS.filter((seen) => !logs.includes(seen));
    expect(missing).toEqual([]);
  });

  it('a shard keeps the numbers of its partition and acts on them alone', () => {
    const count = 3;
    const shards = Array.from(
      { length: count },
      (_, index) => new CarrierShard(new AnalysisEngine({ policy: DEFAULT_POLICY_V4 }), { index, count }),
    );
    const m = '+8613800000001' as Msisdn;
    const owner = partitionOf(msisdnKey(m), count);
    expect(shards.map((s) => s.shardOf(m))).toEqual([owner, owner, owner]);
    const outcomes = runRound(shards, {
      kind: 'command',
      command: { kind: 'directive', msisdn: m, action: Action.Suspend, atMs: Date.UTC(2026, 0, 1) },
    });
    expect(outcomes.map((o) => o.results[0].decisions.length)).toEqual(shards.map((_, i) => (i === owner ? 1 : 0)));
    expect(shards.map((s) => s.engine.levelOf(m, Date.UTC(2026, 0, 1)))).toEqual(
      shards.map((_, i) => (i === owner ? Action.Suspend : Action.None)),
    );
  });

  it('refuses a place outside its carrier', () => {
    const engine = () => new AnalysisEngine({ policy: DEFAULT_POLICY_V4 });
    expect(() => new CarrierShard(engine(), { index: 3, count: 3 })).toThrow('shard 3 of 3');
    expect(() => new CarrierShard(engine(), { index: 0, count: 0 })).toThrow('shard 0 of 0');
  });

  it('a re-activation ends its round', () => {
    const at = Date.UTC(2026, 0, 1);
    const call = (i: number): CarrierEvent => ({
      type: 'call',
      at: at + i,
      caller: '+8613800000001' as Msisdn,
      callee: '+8613800000002' as Msisdn,
      durationSec: 10,
      answered: true,
    });
    const reactivation: CarrierEvent = {
      type: 'reactivation',
      at,
      msisdn: '+8613800000001' as Msisdn,
      idVerified: true,
    };
    const rounds = roundsOf([call(0), reactivation, call(1), call(2), reactivation]);
    expect(rounds.map((r) => (r.kind === 'events' ? [r.first, r.events.length] : []))).toEqual([
      [0, 2],
      [2, 3],
    ]);
  });
});
