import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

export const OUTBOX_DESTINATIONS = ['REGISTRY', 'ADMIN'] as const;
export type OutboxDestination = (typeof OUTBOX_DESTINATIONS)[number];

export interface PendingMessage {
  /** bigserial, as the driver returns it. */
  id: string;
  idempotencyKey: string;
  payload: unknown;
}

export interface Backlog {
  /** Waiting to be delivered. */
  pending: number;
  /** Refused for good by the destination; kept for an operator. */
  failed: number;
  oldestPendingAt: Date | null;
}

/** What a relay may do with one destination's queue while it holds that destination's lock. */
export interface RelayTransaction {
  /** The oldest undelivered, unfailed messages, in id order. */
  pending(limit: number): Promise<PendingMessage[]>;
  delivered(ids: string[]): Promise<void>;
  /** Refused for good: set aside so the queue moves on. */
  failed(id: string, error: string): Promise<void>;
  /** Not delivered this time (destination unreachable); retried later. */
  attempted(ids: string[], error: string): Promise<void>;
}

/** Advisory lock space of the outbox relays: (class, destination index) is unique in the carrier's database. */
const RELAY_LOCK_CLASS = 0x6f62;

/** Owns reading and marking outbox rows (DecisionsRepository writes them, with their decisions). */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Runs `work` in one transaction holding the destination's relay lock, so a
   * single relay works a destination at a time across replicas; resolves
   * undefined at once when another one holds it. The lock ends with the
   * transaction, even when the process dies.
   */
  async asRelay<T>(
    destination: OutboxDestination,
    work: (relay: RelayTransaction) => Promise<T>,
  ): Promise<T | undefined> {
    return this.dataSource.transaction(async (em) => {
      const [{ locked }]: { locked: boolean }[] = await em.query(`SELECT pg_try_advisory_xact_lock($1, $2) AS locked`, [
        RELAY_LOCK_CLASS,
        OUTBOX_DESTINATIONS.indexOf(destination),
      ]);
      return locked ? work(new LockedQueue(em, destination)) : undefined;
    });
  }

  /** Undelivered messages per destination, for monitoring; each count reads one partial index. */
  /** Deletes delivered messages older than `before`, a bounded batch at a time; returns how many went. */
  async pruneDelivered(before: Date, batch = 10_000): Promise<number> {
    let total = 0;
    for (;;) {
      const rows: unknown[] = await this.dataSource.query(
        `DELETE FROM outbox
          WHERE id IN (SELECT id FROM outbox WHERE delivered_at < $1 ORDER BY id LIMIT $2) RETURNING id`,
        [before, batch],
      );
      total += rows.length;
      if (rows.length < batch) return total;
    }
  }

  async backlog(): Promise<Record<OutboxDestination, Backlog>> {
    const pending: { destination: OutboxDestination; count: string; oldest: Date }[] = await this.dataSource.query(
      `SELECT destination, count(*) AS count, min(created_at) AS oldest FROM outbox
       WHERE delivered_at IS NULL AND failed_at IS NULL GROUP BY destination`,
    );
    const failed: { destination: OutboxDestination; count: string }[] = await this.dataSource.query(
      `SELECT destination, count(*) AS count FROM outbox WHERE failed_at IS NOT NULL GROUP BY destination`,
    );
    return Object.fromEntries(
      OUTBOX_DESTINATIONS.map((d) => {
        const waiting = pending.find((r) => r.destination === d);
        return [
          d,
          {
            pending: Number(waiting?.count ?? 0),
            failed: Number(failed.find((r) => r.destination === d)?.count ?? 0),
            oldestPendingAt: waiting?.oldest ?? null,
          },
        ];
      }),
    ) as Record<OutboxDestination, Backlog>;
  }
}

class LockedQueue implements RelayTransaction {
  constructor(
    private readonly em: EntityManager,
    private readonly destination: OutboxDestination,
  ) {}

  async pending(limit: number): Promise<PendingMessage[]> {
    const rows: { id: string; idempotency_key: string; payload: unknown }[] = await this.em.query(
      `SELECT id, idempotency_key, payload FROM outbox
       WHERE destination = $1 AND delivered_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT $2`,
      [this.destination, limit],
    );
    return rows.map((r) => ({ id: r.id, idempotencyKey: r.idempotency_key, payload: r.payload }));
  }

  async delivered(ids: string[]): Promise<void> {
    await this.em.query(
      `UPDATE outbox SET delivered_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async failed(id: string, error: string): Promise<void> {
    await this.em.query(`UPDATE outbox SET failed_at = now(), attempts = attempts + 1, last_error = $2 WHERE id = $1`, [
      id,
      error,
    ]);
  }

  async attempted(ids: string[], error: string): Promise<void> {
    await this.em.query(`UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])`, [
      ids,
      error,
    ]);
  }
}
