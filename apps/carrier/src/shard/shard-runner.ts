import {
  decodeJournalEntry,
  type CarrierShard,
  type GateVerdict,
  type JournalEntry,
  type RoundFacts,
  type RoundOutcome,
  type RoundProposals,
} from '@app/domain';
import type { EventLog, LogConsumption, LogExchange } from '@app/eventlog';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What one log entry came to on one shard. */
export interface EntryOutcome {
  /** The entry's place in the carrier's log. */
  seq: number;
  /** The entry itself. */
  entry: JournalEntry;
  /** The gate's verdict on each of its events (the same on every shard); none for a command. */
  verdicts: GateVerdict[];
  /** This shard's outcome of each round, in order. */
  rounds: RoundOutcome[];
}

/**
 * Where a shard's outcomes go: `write` resolves once the entry's outcome is durable, and only then is the entry
 * acknowledged. After a restart from a snapshot the entries after it come again: writing one twice must change
 * nothing (the outcome is the same, byte for byte).
 */
export interface ShardSink {
  write(outcome: EntryOutcome): Promise<void>;
  /**
   * Told of each round as soon as the engine holds it, before its entry is written: readers must not act on its
   * decisions until `write` has made them durable (or the shard restarted without them).
   */
  applied?(round: RoundOutcome): void;
}

/** Where a shard resumes: the last entry its state covers, and where it had read the other shards' parts. */
export interface ShardPosition {
  seq: number;
  exchange: number[];
}

export interface ShardRunnerOptions {
  shard: CarrierShard;
  /** The carrier's log: one partition, read whole by every shard. */
  log: EventLog;
  /** The shards' exchange (one partition per shard). */
  exchange: LogExchange;
  sink: ShardSink;
  /** The durable consumer's name on the log, e.g. shard-3. */
  consumerName: string;
  /** How long a step waits for the other shards' parts before the shard gives up and must restart. */
  exchangeTimeoutMs: number;
}

/**
 * Runs one shard of a carrier (CarrierShard) on the carrier's log: each entry, in order, through the gate and its
 * rounds, exchanging each step's parts with the other shards, then its outcome made durable (ShardSink), then
 * acknowledged. Anything that fails half way through an entry leaves the engine between two states: the runner then
 * stops taking entries (`failed`), and the shard restarts from its last snapshot (the log and the other shards' parts
 * after it are still there, so it comes back to the same state).
 */
export class ShardRunner {
  private covered: number;
  private consumption: LogConsumption | undefined;
  /** The entry being worked on: snapshots wait for it. */
  private busy: Promise<void> = Promise.resolve();
  private failure: Error | undefined;

  constructor(
    private readonly options: ShardRunnerOptions,
    private readonly from: ShardPosition,
  ) {
    this.covered = from.seq;
  }

  /** The last entry applied and made durable. */
  get seq(): number {
    return this.covered;
  }

  /** Why the runner stopped taking entries; undefined while it runs. */
  get failed(): Error | undefined {
    return this.failure;
  }

  async start(): Promise<void> {
    const { exchange, log, consumerName } = this.options;
    const covered = this.from.seq;
    await exchange.start(this.from.exchange, (key) => Number(key.slice(0, key.indexOf('.'))) <= covered);
    this.consumption = await log.consume(0, consumerName, covered, (message) =>
      this.take(message.seq, message.payload),
    );
  }

  /**
   * `save` called between two entries with where the shard stands (its engine and gate as they are then belong to
   * that position), e.g. to store a snapshot.
   */
  async between<T>(save: (position: ShardPosition) => T | Promise<T>): Promise<T> {
    let result!: T;
    const run = this.busy.then(async () => {
      result = await save({ seq: this.covered, exchange: this.options.exchange.positions() });
    });
    this.busy = run.catch(() => undefined);
    await run;
    return result;
  }

  async stop(): Promise<void> {
    await this.consumption?.stop();
    await this.options.exchange.stop();
  }

  private take(seq: number, payload: Uint8Array): Promise<void> {
    const run = this.busy.then(() => this.apply(seq, payload));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async apply(seq: number, payload: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    // An entry whose acknowledgement was lost comes again: it is durable already.
    if (seq <= this.covered) return;
    const { shard, sink } = this.options;
    try {
      const entry = decodeJournalEntry(payload);
      const admitted = shard.admit(entry);
      const rounds: RoundOutcome[] = [];
      for (let r = 0; r < admitted.rounds.length; r++) {
        const round = admitted.rounds[r];
        const facts = await this.swap<RoundFacts>(`${seq}.${r}.f`, shard.facts(round));
        const proposals = await this.swap<RoundProposals>(`${seq}.${r}.p`, shard.apply(round, facts));
        const outcome = shard.settle(round, proposals);
        sink.applied?.(outcome);
        rounds.push(outcome);
      }
      await sink.write({ seq, entry, verdicts: admitted.verdicts, rounds });
      this.covered = seq;
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw this.failure;
    }
  }

  /** This shard's part of one step for every shard's, in shard order. */
  private async swap<T>(key: string, own: T): Promise<T[]> {
    const { exchange, exchangeTimeoutMs } = this.options;
    if (exchange.shards === 1) return [own];
    const bytes = encoder.encode(JSON.stringify(own));
    await exchange.send(key, bytes);
    const parts = await exchange.gather(key, bytes, exchangeTimeoutMs);
    return parts.map((part) => JSON.parse(decoder.decode(part)) as T);
  }
}
