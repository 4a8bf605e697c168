import type { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { dedicatedClient, outsideTransaction } from '@app/persistence';
import type { ShardEntryRow } from './pg-shard-sink';

/** The channel PgShardSink notifies, with the entry's seq, when a shard's row of it commits. */
export const SHARD_ENTRY_CHANNEL = 'shard_entry';
/** How often shard_entry is read while anyone waits and no notification can come (the listener is down). */
const POLL_MS = 5;
/** How often it is read all the same while notifications come: a lost one costs at most this long. */
const FALLBACK_MS = 100;

interface Waiter {
  resolve(rows: ShardEntryRow[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Waits for every shard's row of a log entry in shard_entry (PgShardSink writes each with the shard's outcome, and
 * notifies SHARD_ENTRY_CHANNEL as it commits): one query for every entry waited on, when a row was notified, and
 * every FALLBACK_MS while any entry is waited on (every POLL_MS while the listening connection is down).
 */
export class ShardEntries {
  private readonly waiting = new Map<number, Waiter[]>();
  private polling: Promise<void> | undefined;
  private listener: Client | undefined;
  private listening: Promise<void> | undefined;
  /** A row was notified since the last read. */
  private notified = false;
  /** Ends the poll loop's pause early (set while it pauses). */
  private wake: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly shards: number,
  ) {}

  /** Every shard's row for entry `seq`, in shard order; rejects after `timeoutMs`. */
  wait(seq: number, timeoutMs: number): Promise<ShardEntryRow[]> {
    return new Promise<ShardEntryRow[]>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.drop(seq, waiter);
          reject(new Error(`not every shard made log entry ${seq} durable within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      const list = this.waiting.get(seq);
      if (list) list.push(waiter);
      else this.waiting.set(seq, [waiter]);
      if (!this.listener && !this.closed) this.listening ??= this.listen().finally(() => (this.listening = undefined));
      this.polling ??= outsideTransaction(() => this.poll()).finally(() => (this.polling = undefined));
    });
  }

  /** Fails everyone waiting (the process stops), and stops listening. */
  close(): void {
    this.closed = true;
    for (const [seq, list] of [...this.waiting])
      for (const waiter of list) {
        this.drop(seq, waiter);
        waiter.reject(new Error('the carrier is stopping'));
      }
    const listener = this.listener;
    this.listener = undefined;
    void listener?.end().catch(() => undefined);
  }

  private drop(seq: number, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const list = this.waiting.get(seq);
    if (!list) return;
    const left = list.filter((w) => w !== waiter);
    if (left.length === 0) this.waiting.delete(seq);
    else this.waiting.set(seq, left);
  }

  /** A connection of its own that LISTENs; lost, the next wait opens another (polling meanwhile). */
  private async listen(): Promise<void> {
    const client = dedicatedClient(this.dataSource, 'entries');
    const lost = () => {
      if (this.listener === client) this.listener = undefined;
    };
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${SHARD_ENTRY_CHANNEL}`);
    } catch {
      await client.end().catch(() => undefined);
      return; // The database is away: polled until a later wait listens again.
    }
    if (this.closed) await client.end().catch(() => undefined);
    else this.listener = client;
  }

  private async poll(): Promise<void> {
    while (this.waiting.size > 0) {
      this.notified = false;
      try {
        const rows: { seq: string; shard: number; decisions: number; outcome: ShardEntryRow['outcome'] }[] =
          await this.dataSource.query(
            `SELECT seq, shard, decisions, outcome FROM shard_entry WHERE seq = ANY($1::bigint[]) ORDER BY seq, shard`,
            [[...this.waiting.keys()]],
          );
        const bySeq = new Map<number, ShardEntryRow[]>();
        for (const r of rows) {
          const seq = Number(r.seq);
          const list = bySeq.get(seq) ?? [];
          list.push({ shard: r.shard, decisions: r.decisions, outcome: r.outcome });
          bySeq.set(seq, list);
        }
        for (const [seq, list] of bySeq) {
          if (list.length < this.shards) continue;
          for (const waiter of this.waiting.get(seq) ?? []) {
            this.drop(seq, waiter);
            waiter.resolve(list);
          }
        }
      } catch {
        // The database is away: the waiters time out unless it comes back in time.
      }
      if (this.waiting.size === 0 || this.notified) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.listener ? FALLBACK_MS : POLL_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
