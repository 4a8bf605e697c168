import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Client } from 'pg';
import { Observable } from 'rxjs';
import { DataSource } from 'typeorm';
import { dedicatedClient, outsideTransaction } from '@app/persistence';
import { CHANGE_CHANNEL, NumbersRepository, type StatusChange } from './numbers.repository';
import { StatusIndex } from './status-index';

/** Changes kept in memory for followers that are nearly caught up. */
const RECENT_CAPACITY = 50_000;
const PAGE = 1000;
/** Fallback when a notification is lost (e.g. the LISTEN connection dropped). */
const POLL_INTERVAL_MS = 1000;

/** Something a follower writes to, with backpressure (a gRPC server stream). */
export interface Writable {
  readonly writableNeedDrain?: boolean;
  once(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Resolves when the stream can take more, or is gone; leaves no listener behind. */
function drained(stream: Writable): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

/**
 * Follows the committed change feed (status_change in version order): keeps the
 * in-memory StatusIndex current and serves WatchChanges followers from memory,
 * or from the database when they are further behind.
 *
 * The feed has no gaps by construction (see the migration), so following
 * `version > head` never skips a change that commits late.
 */
@Injectable()
export class ChangeFeed implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ChangeFeed.name);
  readonly index = new StatusIndex();
  private head = 0;
  private recent: StatusChange[] = [];
  private polling: Promise<void> | null = null;
  private pollAgain = false;
  private advanceWaiters: (() => void)[] = [];
  private listener: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly numbers: NumbersRepository,
    private readonly dataSource: DataSource,
  ) {}

  get version(): number {
    return this.head;
  }

  async onModuleInit(): Promise<void> {
    this.head = await this.numbers.snapshot((rows) =>
      rows.forEach((r) => this.index.set(r.msisdn, r.status, r.version)),
    );
    this.logger.log(`status index loaded: ${this.index.size} listed numbers at version ${this.head}`);
    await this.listen();
    this.timer = setInterval(() => void this.tick(), POLL_INTERVAL_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.wakeFollowers();
    await this.listener?.end().catch(() => undefined);
    await this.polling?.catch(() => undefined);
  }

  private async tick(): Promise<void> {
    try {
      if (!this.listener) await this.listen();
      await this.poll();
    } catch (error) {
      this.logger.warn(`change feed: ${(error as Error).message}`);
    }
  }

  /** Resolves once every change up to `version` is in the index (read-your-writes). */
  async catchUpTo(version: number): Promise<void> {
    while (this.head < version && !this.stopped) await this.poll();
  }

  /** Reads newly committed changes; concurrent calls share one read and repeat it once. */
  poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    // Shared by every waiting caller: it reads on its own connection, whoever starts it.
    this.polling = outsideTransaction(() => this.readNewChanges()).finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private async readNewChanges(): Promise<void> {
    do {
      this.pollAgain = false;
      for (;;) {
        const changes = await this.numbers.changesAfter(this.head, PAGE * 5);
        if (changes.length === 0) break;
        this.apply(changes);
        if (changes.length < PAGE * 5) break;
      }
    } while (this.pollAgain && !this.stopped);
  }

  private apply(changes: StatusChange[]): void {
    for (const change of changes) {
      if (change.version !== this.head + 1) {
        // Cannot happen while versions are allocated under the counter lock; stop rather than skip.
        throw new Error(`change feed gap: expected version ${this.head + 1}, read ${change.version}`);
      }
      this.index.set(change.msisdn, change.status, change.version);
      this.head = change.version;
    }
    this.recent.push(...changes);
    if (this.recent.length > RECENT_CAPACITY * 1.5) this.recent = this.recent.slice(-RECENT_CAPACITY);
    this.wakeFollowers();
  }

  private wakeFollowers(): void {
    const waiters = this.advanceWaiters;
    this.advanceWaiters = [];
    waiters.forEach((wake) => wake());
  }

  private nextAdvance(): Promise<void> {
    return new Promise((resolve) => this.advanceWaiters.push(resolve));
  }

  /** Changes after `version` from memory, when memory still holds all of them. */
  private recentAfter(version: number): StatusChange[] | undefined {
    const first = this.recent[0]?.version;
    if (first === undefined || version < first - 1) return undefined;
    const start = version - first + 1;
    return this.recent.slice(start, start + PAGE);
  }

  /**
   * Every change after `sinceVersion`, in order, then live changes as they commit.
   * Pauses while the consumer's stream asks to drain.
   */
  follow(sinceVersion: number, stream?: Writable): Observable<StatusChange> {
    return new Observable<StatusChange>((subscriber) => {
      let cursor = sinceVersion;
      let closed = false;
      const pump = async (): Promise<void> => {
        while (!closed && !this.stopped) {
          const batch =
            cursor >= this.head ? [] : (this.recentAfter(cursor) ?? (await this.numbers.changesAfter(cursor, PAGE)));
          if (batch.length === 0) {
            if (cursor >= this.head) await this.nextAdvance();
            continue;
          }
          // One message at a time past a full stream: a follower that stops reading
          // holds a stream's buffer, not a page.
          for (const change of batch) {
            if (stream?.writableNeedDrain) await drained(stream);
            if (closed) break;
            subscriber.next(change);
            cursor = change.version;
          }
        }
        if (this.stopped && !closed) subscriber.complete();
      };
      pump().catch((error: unknown) => subscriber.error(error));
      return () => {
        closed = true;
      };
    });
  }

  private async listen(): Promise<void> {
    const client = dedicatedClient(this.dataSource, 'changes');
    client.on(
      'notification',
      () => void this.poll().catch((e: Error) => this.logger.warn(`poll failed: ${e.message}`)),
    );
    client.on('error', (error) => {
      this.logger.warn(`change notifications lost (${error.message}); polling every ${POLL_INTERVAL_MS} ms`);
      this.listener = null;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
  }
}
