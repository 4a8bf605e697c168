import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  Action,
  AnalysisEngine,
  CarrierShard,
  DEFAULT_POLICY_V3,
  DEFAULT_POLICY_V4,
  encodeJournalEntry,
  EventGate,
  fixtures,
  replayJournalEntry,
  type CarrierEvent,
  type CellId,
  type CommandResult,
  type EngineOptions,
  type EventGateOptions,
  type JournalEntry,
} from '@app/domain';
import { JetStreamLog, LogExchange, type JetStreamLogOptions } from '@app/eventlog';
import { TcpProxy, until } from '@app/testing';
import { ShardRunner, type EntryOutcome, type ShardPosition, type ShardSink } from '../src/shard/shard-runner';
import { ShardSupervisor, type ShardSnapshot, type ShardSnapshots } from '../src/shard/shard-supervisor';

// The NATS server with JetStream of .ci/run (or NATS_URL): every run gets streams of its own, deleted after.
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = `${process.pid}_${Date.now().toString(36)}`;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const GATE: EventGateOptions = { latenessMs: 2 * HOUR, maxAheadMs: 5 * MINUTE };
const OPTIONS: EngineOptions = { policy: DEFAULT_POLICY_V4, shadow: DEFAULT_POLICY_V3 };

const POPULATION = fixtures.population({ subscribers: 300, days: 3, heavyPerMille: 10, fraudPerMille: 20, seed: 31 });
const EVENTS: CarrierEvent[] = POPULATION.events.map((event, i) => ({ ...event, id: `e${i}` }));

/**
 * The carrier's log: batches of 150 events published at their last event's time (with a retry of an earlier event in
 * each), and between them the commands a service would send: high-risk lists, an order, a registry change, an
 * appeal upheld, evictions.
 */
function carrierLog(): JournalEntry[] {
  const entries: JournalEntry[] = [];
  const subscribers = EVENTS.flatMap((e) => (e.type === 'subscriber' ? [e.msisdn] : []));
  const someone = (i: number) => subscribers[(i * 7919) % subscribers.length];
  for (let i = 0, batch = 0; i < EVENTS.length; i += 150, batch++) {
    const events = [...EVENTS.slice(i, i + 150), EVENTS[Math.floor(i / 2)]];
    const nowMs = Math.max(...events.map((e) => e.at)) + MINUTE;
    entries.push({ kind: 'events', nowMs, events });
    const m = someone(batch);
    switch (batch % 6) {
      case 0:
        entries.push({
          kind: 'command',
          command: {
            kind: 'setHighRiskCells',
            cells: ['460-11-23456-1', '460-11-23457-2'].map((cell) => ({
              cell: cell as CellId,
              from: nowMs - HOUR,
              until: nowMs + 24 * HOUR,
            })),
          },
        });
        break;
      case 1:
        entries.push({
          kind: 'command',
          command: { kind: 'directive', msisdn: m, action: Action.Suspend, atMs: nowMs },
        });
        break;
      case 2:
        entries.push({ kind: 'command', command: { kind: 'appealUpheld', msisdn: someone(batch - 1), atMs: nowMs } });
        break;
      case 3:
        entries.push({
          kind: 'command',
          command: { kind: 'registryChanged', msisdn: m, status: 'CONFIRMED', atMs: nowMs },
        });
        break;
      case 4:
        entries.push({ kind: 'command', command: { kind: 'evictIdle', idleSinceMs: nowMs - 24 * HOUR } });
        break;
      default:
        entries.push({ kind: 'command', command: { kind: 'review', msisdn: m, atMs: nowMs } });
    }
  }
  return entries;
}

const LOG = carrierLog();

let admin: NatsConnection;
let jsm: JetStreamManager;
const streams: string[] = [];
const closing: (() => Promise<void>)[] = [];

beforeAll(async () => {
  admin = await connect({ servers: NATS_URL, name: 'shard-runner-test-admin' });
  jsm = await jetstreamManager(admin);
});

afterEach(async () => {
  for (const close of closing.splice(0)) await close().catch(() => undefined);
  for (const stream of streams.splice(0)) await jsm.streams.delete(stream).catch(() => undefined);
});

afterAll(async () => {
  await admin.close();
});

/** Each shard's outcomes by entry: a write of an entry already written must be the same, byte for byte. */
class MemorySink implements ShardSink {
  readonly written = new Map<number, string>();
  rewrites = 0;

  async write(outcome: EntryOutcome): Promise<void> {
    const text = JSON.stringify(outcome);
    const before = this.written.get(outcome.seq);
    if (before !== undefined) {
      this.rewrites++;
      expect(text).toBe(before);
    }
    this.written.set(outcome.seq, text);
  }
}

/** One carrier's two streams on the server: the log (one partition) and the shards' exchange (one per shard). */
function streamsOf(name: string, shards: number): { log: JetStreamLogOptions; exchange: JetStreamLogOptions } {
  const id = `${RUN}_${name}`;
  const common = {
    servers: NATS_URL,
    maxAgeMs: HOUR,
    ackWaitMs: 5_000,
    retryDelayMs: 200,
    requestTimeoutMs: 5_000,
    firstReconnectDelayMs: 100,
    maxReconnectDelayMs: 500,
  };
  streams.push(`SHARDTEST_${id}`, `SHARDTEST_X_${id}`);
  return {
    log: { ...common, stream: `SHARDTEST_${id}`, subjectPrefix: `shardtest.${id}.p`, partitions: 1 },
    exchange: { ...common, stream: `SHARDTEST_X_${id}`, subjectPrefix: `shardtest.${id}.x`, partitions: shards },
  };
}

/** A shard as a process would run it: its own connections, from a snapshot (engine and gate images) or from none. */
async function startShard(
  names: { log: JetStreamLogOptions; exchange: JetStreamLogOptions },
  index: number,
  sink: MemorySink,
  snapshot?: { position: ShardPosition; engine: Uint8Array[]; gate: Uint8Array },
  exchangeTimeoutMs = 20_000,
): Promise<{ runner: ShardRunner; shard: CarrierShard; crash: () => Promise<void>; close: () => Promise<void> }> {
  const count = names.exchange.partitions;
  const engine = snapshot ? AnalysisEngine.fromImage(OPTIONS, snapshot.engine) : new AnalysisEngine(OPTIONS);
  const gate = snapshot ? EventGate.fromImage(GATE, snapshot.gate) : new EventGate(GATE);
  const shard = new CarrierShard(engine, { index, count }, gate);
  const log = await JetStreamLog.open({ ...names.log, connectionName: `shard-${index}` });
  const exchangeLog = await JetStreamLog.open({ ...names.exchange, connectionName: `shard-${index}-x` }).catch(
    async (error: unknown) => {
      await log.close();
      throw error;
    },
  );
  const exchange = new LogExchange(exchangeLog, index, `shard-${index}`);
  const runner = new ShardRunner(
    { shard, log, exchange, sink, consumerName: `shard-${index}`, exchangeTimeoutMs },
    snapshot?.position ?? { seq: 0, exchange: [] },
  );
  // A crash: the connections go, nothing is stopped in order or saved.
  const crash = async () => {
    await Promise.all([log.close(), exchangeLog.close()]);
  };
  const close = async () => {
    await runner.stop().catch(() => undefined);
    await crash();
  };
  closing.push(close);
  await runner.start().catch(async (error: unknown) => {
    await close();
    throw error;
  });
  return { runner, shard, crash, close };
}

/** A shard's snapshots in memory, as PostgreSQL would keep them. */
class MemorySnapshots implements ShardSnapshots {
  private newest: ShardSnapshot | undefined;

  async save(snapshot: ShardSnapshot): Promise<void> {
    this.newest = snapshot;
  }

  async latest(): Promise<ShardSnapshot | undefined> {
    return this.newest;
  }
}

async function publish(log: JetStreamLog, entries: readonly JournalEntry[], from: number): Promise<number> {
  let last = 0;
  for (let i = 0; i < entries.length; i++)
    last = (await log.publish(0, encodeJournalEntry(entries[i]), `entry-${from + i}`)).seq;
  return last;
}

/** Every entry's outcome merged over the shards, in log order: verdicts, then each event's decisions and warnings. */
function merged(sinks: readonly MemorySink[]): string[] {
  const out: string[] = [];
  const seqs = [...sinks[0].written.keys()].sort((a, b) => a - b);
  for (const seq of seqs) {
    const outcomes = sinks.map((sink) => JSON.parse(sink.written.get(seq) as string) as EntryOutcome);
    for (const other of outcomes) expect(other.verdicts).toEqual(outcomes[0].verdicts);
    out.push(outcomes[0].verdicts.join(','));
    outcomes[0].rounds.forEach((_round, r) => {
      outcomes[0].rounds[r].results.forEach((_result, e) => {
        const decisions = outcomes.flatMap((o) => o.rounds[r].results[e].decisions).map((d) => JSON.stringify(d));
        const warnings = outcomes.flatMap((o) => o.rounds[r].warnings.filter((w) => w.event === e));
        out.push([...decisions.sort(), JSON.stringify(warnings.map((w) => w.warning))].join('\n'));
      });
    });
  }
  return out;
}

/** The same log through one engine that is no shard (the single node's journal replay). */
function straight(): string[] {
  const engine = new AnalysisEngine(OPTIONS);
  const gate = new EventGate(GATE);
  const out: string[] = [];
  for (const entry of LOG) {
    if (entry.kind === 'events') {
      const verdicts = entry.events.map((event) => gate.admit(event, entry.nowMs));
      out.push(verdicts.join(','));
      entry.events.forEach((event, i) => {
        if (verdicts[i] === 'accept') out.push(line(engine.process(event)));
      });
    } else {
      out.push('');
      out.push(...replayJournalEntry(engine, undefined, entry).map(line));
    }
  }
  return out;
}

function line(result: CommandResult): string {
  const decisions = result.decisions.map((d) => JSON.stringify(d)).sort();
  return [...decisions, JSON.stringify(result.calleeWarnings ?? [])].join('\n');
}

describe('shards over NATS JetStream', () => {
  const expected = straight();

  it('the log leads to decisions of every kind the shards must agree on', () => {
    const text = expected.join('\n');
    const kinds = ['"action":"WARN"', '"action":"RESTRICT"', '"action":"SUSPEND"', '"action":"RESTORE"', '"callee"'];
    expect(kinds.filter((kind) => !text.includes(kind))).toEqual([]);
    expect(text).toContain('duplicate');
  });

  it.each([1, 3])('%i shard(s) fed the log through JetStream decide what one engine does', async (count) => {
    const names = streamsOf(`n${count}`, count);
    const sinks = Array.from({ length: count }, () => new MemorySink());
    const shards = await Promise.all(sinks.map((sink, i) => startShard(names, i, sink)));
    const log = await JetStreamLog.open(names.log);
    closing.push(() => log.close());
    const last = await publish(log, LOG, 0);
    await until(
      async () => shards.every((s) => s.runner.seq === last),
      'every shard to reach the end of the log',
      120_000,
    );
    expect(shards.map((s) => s.runner.failed)).toEqual(shards.map(() => undefined));
    expect(merged(sinks)).toEqual(expected);
    if (count > 1) expect(shards.reduce((sum, s) => sum + s.shard.factsGiven, 0)).toBeGreaterThan(100);
  });

  it('a shard that crashes and restarts from its snapshot comes back to the same decisions', async () => {
    const count = 3;
    const names = streamsOf('crash', count);
    const sinks = Array.from({ length: count }, () => new MemorySink());
    const shards = await Promise.all(sinks.map((sink, i) => startShard(names, i, sink)));
    const log = await JetStreamLog.open(names.log);
    closing.push(() => log.close());
    const third = Math.floor(LOG.length / 3);
    const reached = (seq: number) => () => Promise.resolve(shards.every((s) => s.runner.seq === seq));

    const first = await publish(log, LOG.slice(0, third), 0);
    await until(reached(first), 'the first third', 120_000);
    // Shard 1 saves a snapshot between two entries, as SNAPSHOT_INTERVAL_SEC would have it.
    const victim = shards[1];
    const snapshot = await victim.runner.between((position) => ({
      position,
      engine: victim.shard.engine.saveImage(),
      gate: (victim.shard.gate as EventGate).saveImage(),
    }));
    expect(snapshot.position.seq).toBe(first);

    const second = await publish(log, LOG.slice(third, 2 * third), third);
    await until(reached(second), 'the second third', 120_000);
    await victim.crash();
    // The others go on with the rest of the log and wait at its first round for the shard that is down.
    const end = await publish(log, LOG.slice(2 * third), 2 * third);
    shards[1] = await startShard(names, 1, sinks[1], snapshot);
    await until(reached(end), 'the end of the log after the restart', 120_000);
    // Shard 1 went over the second third again from its snapshot: the same outcomes, written again.
    expect(sinks[1].rewrites).toBeGreaterThan(0);
    expect(merged(sinks)).toEqual(expected);
  });

  it('NATS cut off from a shard: the others give up on it, restart from snapshots, decide the same', async () => {
    const count = 3;
    // Shard 1 reaches NATS through a proxy that the test cuts; the others reach it straight.
    const proxy = await TcpProxy.start({ host: new URL(NATS_URL).hostname, port: Number(new URL(NATS_URL).port) });
    closing.push(() => proxy.cut());
    const direct = streamsOf('outage', count);
    const cutOff = {
      log: { ...direct.log, servers: proxy.through(NATS_URL) },
      exchange: { ...direct.exchange, servers: proxy.through(NATS_URL) },
    };
    const sinks = Array.from({ length: count }, () => new MemorySink());
    const restarts: string[] = [];
    const supervisors = sinks.map(
      (sink, i) =>
        new ShardSupervisor({
          start: (snapshot) => startShard(i === 1 ? cutOff : direct, i, sink, snapshot, 1_500),
          snapshots: new MemorySnapshots(),
          retryDelayMs: 200,
          onRestart: (cause) => restarts.push(`${i}: ${cause.message}`),
        }),
    );
    await Promise.all(supervisors.map((supervisor) => supervisor.start()));
    closing.push(() => Promise.all(supervisors.map((supervisor) => supervisor.stop())).then(() => undefined));
    const log = await JetStreamLog.open(direct.log);
    closing.push(() => log.close());
    const reached = (seq: number) => () =>
      Promise.resolve(supervisors.every((supervisor) => supervisor.current?.runner.seq === seq));

    const third = Math.floor(LOG.length / 3);
    const first = await publish(log, LOG.slice(0, third), 0);
    await until(reached(first), 'the first third', 120_000);
    await Promise.all(supervisors.map((supervisor) => supervisor.snapshot()));

    // NATS goes away for shard 1 while the second third comes: the others wait for its parts, give up after 1.5 s,
    // and their supervisors start them again from their snapshots, until shard 1 is back.
    await proxy.cut();
    await publish(log, LOG.slice(third, 2 * third), third);
    await until(() => Promise.resolve(restarts.length >= 2), 'the other shards to give up and restart', 60_000);
    await proxy.restore();
    const end = await publish(log, LOG.slice(2 * third), 2 * third);
    await until(reached(end), 'the end of the log after the outage', 120_000);

    expect(restarts.filter((r) => !r.startsWith('1:')).length).toBeGreaterThanOrEqual(2);
    expect(restarts.join('\n')).toContain('did not all come within 1500 ms');
    expect(merged(sinks)).toEqual(expected);
  });
});
