import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  AnalysisEngine,
  CarrierShard,
  contentHash,
  encodeJournalEntry,
  EventGate,
  msisdnKey,
  partitionOf,
  type CarrierEvent,
  type CommandResult,
  type EngineCommand,
  type JournalEntry,
  type Msisdn,
} from '@app/domain';
import { EventLogUnavailableError, JetStreamLog, LogExchange, type JetStreamLogOptions } from '@app/eventlog';
import type { ServiceHealth } from '@app/observability';
import { AnalysisError } from '../analysis/analysis.errors';
import { DurableView, InFlightChanges } from '../analysis/durable-view';
import type { EvidenceRepository } from '../analysis/evidence.repository';
import { gateOptionsOf, type CarrierConfig, type CarrierShardConfig } from '../config/carrier.config';
import type { DecisionRecorder } from '../decisions/decision-recorder.service';
import type { PoliciesRepository } from '../policies/policies.repository';
import type { CarrierMetrics } from '../metrics/carrier-metrics';
import type { SubscribersRepository } from '../subscribers/subscribers.repository';
import { PgShardSink, type BatchOutcome, type ShardEntryRow } from './pg-shard-sink';
import { ShardEntries } from './shard-entries';
import { ShardRunner } from './shard-runner';
import { ReplicaCallView, StepReplica } from './step-replica';
import { ShardSupervisor, type RunningShard, type ShardSnapshot, type ShardSnapshots } from './shard-supervisor';

/** The health entry of a shard: serving while its runner follows the log. */
export const SHARD_DEPENDENCY = 'shard';
/** Publishes tried per entry before the caller is answered UNAVAILABLE (the same message id each time). */
const PUBLISH_ATTEMPTS = 3;

export interface ShardHostOptions {
  config: CarrierConfig;
  shards: CarrierShardConfig;
  dataSource: DataSource;
  evidence: EvidenceRepository;
  recorder: DecisionRecorder;
  subscribers: SubscribersRepository;
  /** The policies a snapshot's image names, and the ones assigned now (for a shard with no snapshot). */
  policies: PoliciesRepository;
  health?: ServiceHealth;
  metrics?: CarrierMetrics;
}

/** What a batch came to over all shards: the gate's verdicts and the active decisions summed. */
export interface ShardBatchOutcome extends BatchOutcome {
  decided: number;
}

/**
 * One shard of the carrier in the service (docs/operations.md#shards): a ShardRunner on the carrier's log, kept
 * running by a ShardSupervisor from the snapshots it stores in PostgreSQL, writing its outcomes through PgShardSink;
 * and the entry points of this process, which publish every change as a log entry and answer once every shard has
 * made it durable (shard_entry). Readers see the shard's own numbers as the database holds them (DurableView).
 */
export class ShardHost {
  private readonly logger: Logger;
  readonly inFlight = new InFlightChanges();
  readonly view: DurableView;
  private readonly entries: ShardEntries;
  /** Every number's step, for call setup of callers other shards keep. */
  private readonly steps: StepReplica;
  /** Call setup's view of such a caller (one: call setup is synchronous). */
  readonly replicaView: ReplicaCallView;
  private supervisor: ShardSupervisor | undefined;
  private publisher: Promise<JetStreamLog> | undefined;
  /** The engine readers see: the running shard's, or the last one's while it restarts. */
  private engine!: AnalysisEngine;
  private place: { index: number; count: number };
  /** The log could not be reached at the last look (health said so). */
  private unreachable = false;
  /** The log entry of the last snapshot stored. */
  private snapshotAt = -1;
  /** Another process took this shard's lock after this one lost it: the runner is stopped until it is free. */
  private displaced = false;

  constructor(private readonly options: ShardHostOptions) {
    const { shards, config, dataSource } = options;
    this.place = { index: shards.index, count: shards.count };
    this.logger = new Logger(`Shard ${config.carrierId}/${shards.index}`);
    this.view = new DurableView(() => this.engine, this.inFlight);
    this.entries = new ShardEntries(dataSource, shards.count);
    this.steps = new StepReplica(dataSource);
    this.replicaView = new ReplicaCallView(this.view, this.steps);
  }

  get index(): number {
    return this.place.index;
  }

  /** The shard running now (undefined while it restarts). */
  get running(): CarrierShard | undefined {
    return this.supervisor?.current?.shard;
  }

  /** Whether this shard keeps `msisdn`. */
  owns(msisdn: Msisdn): boolean {
    return this.ownerOf(msisdn) === this.place.index;
  }

  /** The shard that keeps `msisdn`. */
  ownerOf(msisdn: Msisdn): number {
    return partitionOf(msisdnKey(msisdn), this.place.count);
  }

  async start(): Promise<void> {
    const { evidence, shards, config, health } = this.options;
    if (!(await evidence.claimShard(shards.index)))
      throw new Error(`shard ${shards.index} of ${config.carrierId} is run by another process`);
    health?.declare(SHARD_DEPENDENCY, { critical: true, state: 'down', detail: 'starting' });
    await this.supervise();
    await this.steps.start();
    // The log starts with the policies in force: shards that started at other times begin from the same ones.
    const log = await this.log();
    if ((await log.lastSeq(0)) === 0) {
      const { active, shadow } = await this.options.policies.assignedDocuments();
      await this.publish(
        { kind: 'command', command: { kind: 'policies', policy: active, shadow, budgets: [] } },
        'initial',
      );
    }
  }

  /** Runs the shard under a supervisor, from its newest snapshot. */
  private async supervise(): Promise<void> {
    const { health } = this.options;
    const supervisor = new ShardSupervisor({
      start: (snapshot) => this.startShard(snapshot),
      snapshots: this.snapshots(),
      retryDelayMs: 1_000,
      onRestart: (cause) => {
        health?.report(SHARD_DEPENDENCY, false, `restarting from the last snapshot: ${cause.message}`);
        this.logger.warn(`restarting from the last snapshot: ${cause.message}`);
      },
    });
    this.supervisor = supervisor;
    await supervisor.start();
  }

  /**
   * Checks that this process still holds its shard's lock, which lives on a connection of its own: a lost connection
   * (PostgreSQL restarted, the connection cut) loses the lock. A free lock is taken back at once. One another process
   * took meanwhile means that process runs the shard now (two would share its durable consumers): this one stops its
   * runner and says NOT_SERVING until the lock is free again, then starts again from the newest snapshot.
   */
  async watchLock(): Promise<void> {
    const { evidence, health } = this.options;
    const { index } = this.place;
    if (await evidence.holdsLock()) return;
    let claimed: boolean;
    try {
      claimed = await evidence.claimShard(index);
    } catch {
      return; // The database is away: tried again at the next look (the runner's writes fail meanwhile, and it waits).
    }
    if (claimed && !this.displaced) {
      this.logger.warn(`shard ${index}'s lock was lost with its connection: taken back`);
    } else if (claimed) {
      try {
        await this.supervise();
      } catch (error) {
        // Not started (NATS away): the lock is let go, so that the next look takes it and tries again.
        this.supervisor = undefined;
        await evidence.release();
        throw error;
      }
      this.displaced = false;
      this.logger.log(`shard ${index}'s lock was free again: the shard runs from its newest snapshot`);
    } else if (!this.displaced) {
      this.displaced = true;
      const why = `shard ${index} is run by another process (it took the lock this one lost): stopped`;
      this.logger.error(why);
      health?.report(SHARD_DEPENDENCY, false, why);
      const supervisor = this.supervisor;
      this.supervisor = undefined;
      await supervisor?.stop();
    }
  }

  async stop(): Promise<void> {
    this.entries.close();
    await this.steps.stop();
    await this.supervisor?.stop();
    await (await this.publisher?.catch(() => undefined))?.close();
  }

  /** Stores the shard's snapshot (between two entries); nothing while it restarts or when nothing came since. */
  async snapshot(): Promise<void> {
    const runner = this.supervisor?.current?.runner;
    if (runner === undefined || runner.seq === this.snapshotAt) return;
    const started = Date.now();
    const taken = await this.supervisor?.snapshot();
    if (taken) {
      this.snapshotAt = taken.position.seq;
      const bytes = taken.engine.reduce((sum, p) => sum + p.length, taken.gate.length);
      const ms = Date.now() - started;
      this.logger.log(`snapshot at log entry ${taken.position.seq}: ${(bytes / 1e6).toFixed(1)} MB in ${ms} ms`);
    }
  }

  /**
   * Compares this shard's position with the log's last entry: the lag metric, and the health entry (down while the
   * log cannot be reached: nothing can be ingested or changed then).
   */
  async watchLag(): Promise<void> {
    const { health, metrics } = this.options;
    const runner = this.supervisor?.current?.runner;
    let last: number;
    try {
      last = await (await this.log()).lastSeq(0);
    } catch (error) {
      this.unreachable = true;
      health?.report(SHARD_DEPENDENCY, false, `the carrier's log cannot be reached: ${(error as Error).message}`);
      return;
    }
    if (this.unreachable) {
      this.unreachable = false;
      if (runner) health?.report(SHARD_DEPENDENCY, true, `shard ${this.place.index} of ${this.place.count}`);
    }
    metrics?.shardState(
      this.place.index,
      runner ? Math.max(0, last - runner.seq) : last,
      this.supervisor?.restarts ?? 0,
    );
  }

  /** The newest event time the gate has seen (idle eviction goes by it). */
  get newest(): number {
    return this.running?.gate?.newest ?? Number.NEGATIVE_INFINITY;
  }

  /** Publishes a batch and answers once every shard made it durable: the gate's verdicts, the decisions summed. */
  async ingest(events: readonly CarrierEvent[], nowMs: number): Promise<{ outcome: Promise<ShardBatchOutcome> }> {
    const seq = await this.publish({ kind: 'events', nowMs, events: [...events] }, randomUUID());
    const outcome = this.durable(seq).then((rows) => {
      const batch = rows[0].outcome as BatchOutcome;
      return { ...batch, decided: rows.reduce((sum, row) => sum + row.decisions, 0) };
    });
    return { outcome };
  }

  /**
   * Publishes each command as an entry of its own and answers with its result over every shard: the owner's (the
   * shard of the number it is about, or shard 0) with every shard's decisions. A command's message id is its
   * content, so the same command sent by several shards at once (a registry change every shard follows) is one entry;
   * `msgId` names a request's commands instead (a retry of the request finds its first commands' entries).
   */
  async apply(commands: readonly EngineCommand[], msgId?: string): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    for (const [i, command] of commands.entries()) {
      const id = msgId === undefined ? `c-${contentHash(command)}` : `${msgId}-${i}`;
      const rows = await this.enter({ kind: 'command', command }, id);
      const owner = 'msisdn' in command ? this.ownerOf(command.msisdn) : 0;
      const ownerResult = (rows.find((r) => r.shard === owner) ?? rows[0]).outcome as CommandResult;
      const all = rows.map((r) => r.outcome as CommandResult);
      const evicted = all.reduce((sum, r) => sum + (r.evicted ?? 0), 0);
      results.push({
        ...ownerResult,
        decisions: all.flatMap((r) => r.decisions),
        ...(command.kind === 'evictIdle' ? { evicted } : {}),
      });
    }
    return results;
  }

  private async enter(entry: JournalEntry, msgId: string): Promise<ShardEntryRow[]> {
    return this.durable(await this.publish(entry, msgId));
  }

  /** Every shard's row of entry `seq`, once all are written; UNAVAILABLE after SHARD_ENTRY_TIMEOUT_MS. */
  private async durable(seq: number): Promise<ShardEntryRow[]> {
    try {
      return await this.entries.wait(seq, this.options.shards.entryTimeoutMs);
    } catch (error) {
      throw new AnalysisError(
        'LOG_UNAVAILABLE',
        `the carrier's shards did not all make log entry ${seq} durable in time (${(error as Error).message}); ` +
          'it stays in the log and will be applied: sending the same call again is safe',
      );
    }
  }

  private async publish(entry: JournalEntry, msgId: string): Promise<number> {
    const payload = encodeJournalEntry(entry);
    let failure: Error | undefined;
    for (let attempt = 0; attempt < PUBLISH_ATTEMPTS; attempt++) {
      try {
        return (await (await this.log()).publish(0, payload, msgId)).seq;
      } catch (error) {
        failure = error as Error;
        if (!(error instanceof EventLogUnavailableError)) break;
      }
    }
    throw new AnalysisError(
      'LOG_UNAVAILABLE',
      `the carrier's log cannot take the change now (${failure?.message}); nothing was applied, send it again`,
    );
  }

  /** This process's connection for publishing, opened once (again after a failed open). */
  private log(): Promise<JetStreamLog> {
    this.publisher ??= JetStreamLog.open({ ...this.names().log, connectionName: this.connectionName('publish') });
    this.publisher.catch(() => (this.publisher = undefined));
    return this.publisher.catch((error: unknown) => {
      throw new EventLogUnavailableError('connecting to publish', error);
    });
  }

  private connectionName(role: string): string {
    return `carrier-${this.options.config.carrierId}-shard-${this.place.index}-${role}`;
  }

  /** The carrier's log (one partition, read whole by every shard) and the shards' exchange (one per shard). */
  private names(): { log: JetStreamLogOptions; exchange: JetStreamLogOptions } {
    const { shards } = this.options;
    const stream = shards.stream;
    const common = { servers: shards.natsUrl.split(','), maxAgeMs: shards.logRetentionMs };
    return {
      log: { ...common, stream, subjectPrefix: `${stream}.log`, partitions: 1 },
      exchange: { ...common, stream: `${stream}_X`, subjectPrefix: `${stream}.x`, partitions: shards.count },
    };
  }

  /** Builds the shard from its snapshot (or from nothing) and starts its runner; throws when NATS is away. */
  private async startShard(snapshot: ShardSnapshot | undefined): Promise<RunningShard> {
    const { config, shards, dataSource, recorder, subscribers, health } = this.options;
    let engine: AnalysisEngine;
    if (snapshot) {
      const options = await this.options.policies.imageOptions(snapshot.engine, config.carrierId);
      engine = AnalysisEngine.fromImage(options, snapshot.engine);
    } else {
      const { active, shadow } = await this.options.policies.assignedDocuments();
      engine = new AnalysisEngine({ policy: active, shadow, carrier: config.carrierId });
    }
    const gateOptions = gateOptionsOf(config);
    const gate = snapshot ? EventGate.fromImage(gateOptions, snapshot.gate) : new EventGate(gateOptions);
    const shard = new CarrierShard(engine, this.place, gate);
    const names = this.names();
    const log = await JetStreamLog.open({ ...names.log, connectionName: this.connectionName('log') });
    let exchangeLog: JetStreamLog;
    try {
      exchangeLog = await JetStreamLog.open({ ...names.exchange, connectionName: this.connectionName('exchange') });
    } catch (error) {
      await log.close();
      throw error;
    }
    const consumer = `shard-${this.place.index}`;
    const exchange = new LogExchange(exchangeLog, this.place.index, consumer);
    const sink = new PgShardSink(shard, dataSource, recorder, subscribers, this.inFlight);
    const runner = new ShardRunner(
      { shard, log, exchange, sink, consumerName: consumer, exchangeTimeoutMs: shards.exchangeTimeoutMs },
      snapshot?.position ?? { seq: 0, exchange: [] },
    );
    const close = async () => {
      await runner.stop().catch(() => undefined);
      await Promise.all([log.close(), exchangeLog.close()]);
    };
    try {
      await runner.start();
    } catch (error) {
      await close();
      throw error;
    }
    // Whatever the last runner held back was never written: readers go by the new engine.
    this.inFlight.clear();
    this.engine = engine;
    const from = snapshot ? `snapshot at log entry ${snapshot.position.seq}` : 'the start of the log';
    health?.report(SHARD_DEPENDENCY, true, `shard ${this.place.index} of ${this.place.count}, from ${from}`);
    this.logger.log(`shard ${this.place.index} of ${this.place.count} follows the log from ${from}`);
    return { shard, runner, close };
  }

  /** The shard's snapshots in engine_snapshot: [gate, ...engine] parts, with the log and exchange positions. */
  private snapshots(): ShardSnapshots {
    const { evidence } = this.options;
    const { index, count } = this.place;
    return {
      save: async (snapshot) => {
        await evidence.saveShardSnapshot(
          { shards: count, shard: index, seq: snapshot.position.seq, exchange: snapshot.position.exchange },
          [snapshot.gate, ...snapshot.engine],
        );
      },
      latest: async () => {
        for (const stored of await evidence.shardSnapshots(count, index)) {
          try {
            const [gate, ...engine] = await evidence.snapshotParts(stored.id);
            return { position: { seq: stored.seq, exchange: stored.exchange }, gate, engine };
          } catch (error) {
            this.logger.error(
              `snapshot ${stored.id} (log entry ${stored.seq}) not usable: ${(error as Error).message}`,
            );
          }
        }
        return undefined;
      },
    };
  }
}
