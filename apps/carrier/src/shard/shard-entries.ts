import type { DataSource } from 'typeorm';
import { outsideTransaction } from '@app/persistence';
import type { ShardEntryRow } from './pg-shard-sink';

/** How often shard_entry is read while anyone waits. */
const POLL_MS = 5;

interface Waiter {
  resolve(rows: ShardEntryRow[]): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Waits for every shard's row of a log entry in shard_entry (PgShardSink writes each with the shard's outcome):
 * one query for every entry waited on, every few milliseconds while any is.
 */
export class ShardEntries {
  private readonly waiting = new Map<number, Waiter[]>();
  private polling: Promise<void> | undefined;

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
      this.polling ??= outsideTransaction(() => this.poll()).finally(() => (this.polling = undefined));
    });
  }

  /** Fails everyone waiting (the process stops). */
  close(): void {
    for (const [seq, list] of [...this.waiting])
      for (const waiter of list) {
        this.drop(seq, waiter);
        waiter.reject(new Error('the carrier is stopping'));
      }
  }

  private drop(seq: number, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const list = this.waiting.get(seq);
    if (!list) return;
    const left = list.filter((w) => w !== waiter);
    if (left.length === 0) this.waiting.delete(seq);
    else this.waiting.set(seq, left);
  }

  private async poll(): Promise<void> {
    while (this.waiting.size > 0) {
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
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}
