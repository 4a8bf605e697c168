import type { CarrierShard, EventGate } from '@app/domain';
import type { ShardPosition, ShardRunner } from './shard-runner';

/** A shard's state at one log position: its engine's and gate's images, and where it resumes. */
export interface ShardSnapshot {
  position: ShardPosition;
  engine: Uint8Array[];
  gate: Uint8Array;
}

/** Where a shard's snapshots are kept (PostgreSQL in the service): the newest one is what a restart starts from. */
export interface ShardSnapshots {
  save(snapshot: ShardSnapshot): Promise<void>;
  latest(): Promise<ShardSnapshot | undefined>;
}

/** A shard running: its runner and what to close when it goes. */
export interface RunningShard {
  shard: CarrierShard;
  runner: ShardRunner;
  /** Stops the runner and closes its connections. */
  close(): Promise<void>;
}

export interface ShardSupervisorOptions {
  /** Builds and starts a shard from a snapshot (or from nothing); throws when it cannot (NATS away). */
  start(snapshot: ShardSnapshot | undefined): Promise<RunningShard>;
  snapshots: ShardSnapshots;
  /** How often a stopped or failed shard is tried again. */
  retryDelayMs: number;
  /** Told of each restart and why (for the log and a metric). */
  onRestart?: (cause: Error) => void;
}

/**
 * Keeps one shard running. A runner that fails (an exchange part that did not come in time, NATS gone, a sink that
 * failed) has an engine between two states: the supervisor closes it and starts the shard again from its newest
 * snapshot, trying again every retryDelayMs until it starts. The log and the other shards' parts after the snapshot
 * are still in JetStream, so the shard comes back to the same state and its outcomes are written again, the same.
 */
export class ShardSupervisor {
  private running: RunningShard | undefined;
  private stopped = false;
  private watching: Promise<void> | undefined;
  /** How many times the shard was started again after a failure. */
  restarts = 0;

  constructor(private readonly options: ShardSupervisorOptions) {}

  /** The shard running now; undefined while it is being started again. */
  get current(): RunningShard | undefined {
    return this.running;
  }

  async start(): Promise<void> {
    this.running = await this.options.start(await this.options.snapshots.latest());
    this.watching = this.watch();
  }

  /** Stores a snapshot of the shard as it stands between two entries; nothing while it is being started again. */
  async snapshot(): Promise<ShardSnapshot | undefined> {
    const running = this.running;
    if (running === undefined || running.runner.failed) return undefined;
    const snapshot = await running.runner.between((position) => ({
      position,
      engine: running.shard.engine.saveImage(),
      gate: (running.shard.gate as EventGate).saveImage(),
    }));
    await this.options.snapshots.save(snapshot);
    return snapshot;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.watching;
    await this.running?.close();
    this.running = undefined;
  }

  private async watch(): Promise<void> {
    const { retryDelayMs } = this.options;
    while (!this.stopped) {
      await pause(Math.min(retryDelayMs, 100));
      const failure = this.running?.runner.failed;
      if (failure === undefined || this.stopped) continue;
      const failed = this.running;
      this.running = undefined;
      await failed?.close().catch(() => undefined);
      this.options.onRestart?.(failure);
      while (!this.stopped) {
        try {
          this.running = await this.options.start(await this.options.snapshots.latest());
          this.restarts++;
          break;
        } catch {
          await pause(retryDelayMs);
        }
      }
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
