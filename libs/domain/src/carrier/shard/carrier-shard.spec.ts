import type { Msisdn } from '../../msisdn';
import { AnalysisEngine, msisdnKey, type EngineOptions } from '../engine';
import { EventGate, type EventGateOptions } from '../event-gate';
import type { CarrierEvent } from '../events';
import { HOUR, MINUTE } from '../fixtures/scenario';
import {
  HURRIED_POLICY,
  MISTUNED_POLICY,
  SERVICE_RUN_ANSWERS,
  ServiceRun,
  serviceRunEvents,
} from '../fixtures/service-run';
import { applyCommand, type CommandResult, type JournalEntry } from '../journal';
import { Action, DEFAULT_POLICY_V2, DEFAULT_POLICY_V3, DEFAULT_POLICY_V4 } from '../policy';
import { CarrierShard, roundsOf, runRound, type RoundOutcome } from './carrier-shard';
import { partitionOf } from './partition';

const GATE: EventGateOptions = { latenessMs: 2 * HOUR, maxAheadMs: 5 * MINUTE };

const EVENTS: CarrierEvent[] = serviceRunEvents(29);
/** Events per log entry, as an ingest stream would batch them. */
const BATCH = 40;

/**
 * A carrier's log and what its shards make of it, as a service would run them: event batches (with retries and late
 * copies the gate refuses), and between them the commands the answers lead to (reviews decided, appeals upheld,
 * directives, registry changes, re-activations, clearances, evictions, high-risk lists, re-enabled reasons). Every
 * entry's outcome, merged over the shards, is logged; the log is what must not depend on the number of shards.
 */
class ShardedCarrier {
  readonly log: string[] = [];
  readonly shards: CarrierShard[];
  /** count 0: one engine that is no shard, fed the same log (journal.ts's replay), to compare with. */
  private readonly plain: { engine: AnalysisEngine; gate: EventGate } | undefined;
  /** Facts the shards gave one another, all rounds together. */
  get factsGiven(): number {
    return this.shards.reduce((sum, shard) => sum + shard.factsGiven, 0);
  }
  private batch: CarrierEvent[] = [];
  private readonly service = new ServiceRun(EVENTS);

  constructor(options: EngineOptions, count: number) {
    this.plain = count === 0 ? { engine: new AnalysisEngine(options), gate: new EventGate(GATE) } : undefined;
    this.shards = Array.from(
      { length: count },
      (_, index) => new CarrierShard(new AnalysisEngine(options), { index, count }, new EventGate(GATE)),
    );
  }

  run(): void {
    for (const engine of [...this.shards.map((s) => s.engine), ...(this.plain ? [this.plain.engine] : [])])
      this.service.knownAtStart(engine, EVENTS);
    EVENTS.forEach((event, i) => {
      if (event.type !== 'subscriber') this.between(event.at);
      this.batch.push(event);
      // A retry of an event sent before, and now and then one from hours ago.
      if (i % 61 === 0) this.batch.push(EVENTS[i >> 1]);
      if (i % 97 === 0 && event.type === 'call') this.batch.push({ ...event, id: `late${i}`, at: event.at - 3 * HOUR });
      if (this.batch.length >= BATCH) this.flush();
    });
    this.between(Number.POSITIVE_INFINITY);
    this.flush();
  }

  private flush(): void {
    if (this.batch.length === 0) return;
    const nowMs = Math.max(...this.batch.map((e) => e.at)) + MINUTE;
    const events = this.batch;
    this.batch = [];
    this.apply({ kind: 'events', nowMs, events });
  }

  /** One entry through every shard: the same verdicts everywhere, each round's outcomes merged and logged. */
  private apply(entry: JournalEntry): void {
    if (this.plain) return this.applyPlain(entry, this.plain);
    const admitted = this.shards.map((shard) => shard.admit(entry));
    for (const other of admitted) expect(other.verdicts).toEqual(admitted[0].verdicts);
    this.log.push(admitted[0].verdicts.join(','));
    for (const round of admitted[0].rounds) {
      const outcomes = runRound(this.shards, round);
      const size = round.kind === 'command' ? 1 : round.events.length;
      for (let i = 0; i < size; i++) this.answered(merged(outcomes, i));
    }
  }

  private applyPlain(entry: JournalEntry, { engine, gate }: { engine: AnalysisEngine; gate: EventGate }): void {
    if (entry.kind === 'command') {
      this.log.push('');
      this.answered(applyCommand(engine, entry.command));
      return;
    }
    const verdicts = entry.events.map((event) => gate.admit(event, entry.nowMs));
    this.log.push(verdicts.join(','));
    entry.events.forEach((event, i) => {
      if (verdicts[i] !== 'accept') return;
      const result: CommandResult = engine.process(event);
      this.answered(result);
    });
  }

  private answered(result: CommandResult): void {
    // Keys and decisions in one order: the shards' results are merged, a plain engine's are its own.
    const sorted = { ...result, decisions: [...result.decisions].sort(byJson) };
    this.log.push(JSON.stringify(Object.fromEntries(Object.entries(sorted).sort(([a], [b]) => (a < b ? -1 : 1)))));
    this.service.follow(result);
  }

  /** Sends what is due before `at`, after the batch in hand. */
  private between(at: number): void {
    const due = this.service.due(at);
    if (due.length === 0) return;
    this.flush();
    for (const entry of due) this.apply(entry);
  }
}

function byJson(a: unknown, b: unknown): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The shards' results for one event (or command) as one: every shard's decisions, warnings and demotions. */
function merged(outcomes: readonly RoundOutcome[], event: number): CommandResult {
  const decisions = outcomes.flatMap((o) => o.results[event].decisions);
  const warnings = outcomes.flatMap((o) => o.warnings.filter((w) => w.event === event).map((w) => w.warning));
  const demotions = outcomes.flatMap((o) => o.demotions.filter((d) => d.event === event).map((d) => d.demotion));
  const rest = outcomes.map((o) => {
    const { decisions: _d, demotions: _m, calleeWarnings: _w, evicted: _e, ...other } = o.results[event];
    return other;
  });
  const other = Object.assign({}, ...rest.filter((r) => Object.keys(r).length > 0)) as Partial<CommandResult>;
  const evicted = outcomes.map((o) => o.results[event].evicted);
  if (evicted[0] !== undefined) other.evicted = evicted.reduce((sum = 0, n = 0) => sum + n, 0);
  return {
    ...other,
    decisions,
    ...(warnings.length > 0 ? { calleeWarnings: warnings } : {}),
    ...(demotions.length > 0 ? { demotions } : {}),
  };
}

const CONFIGS: [string, EngineOptions][] = [
  ['default@4 with shadow default@3', { policy: DEFAULT_POLICY_V4, shadow: DEFAULT_POLICY_V3 }],
  // Reports corroborated by the reporter's memory alone (no bothSides): the reporter's shard says.
  ['default@2', { policy: DEFAULT_POLICY_V2 }],
  ['a hurried default@4 with a mis-tuned shadow', { policy: HURRIED_POLICY, shadow: MISTUNED_POLICY, carrier: 'CTCC' }],
];

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
