import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Action } from '@app/domain';

export interface DayCount {
  /** YYYY-MM-DD, China Standard Time. */
  day: string;
  policy: string;
  action: Action;
  reason: string;
  count: number;
}

/** Callee warnings (policy.calleeProtection) of one day (CST) under one policy. */
export interface DayCalleeWarnings {
  /** YYYY-MM-DD, China Standard Time. */
  day: string;
  policy: string;
  count: number;
}

/** What a recount queues: one ADMIN outbox message per count. */
export interface CountMessage {
  idempotencyKey: string;
  payload: unknown;
}

/**
 * A decision transaction still open when a recount reads (its recorded_at is
 * earlier, its rows not yet visible) is picked up by the next recount, which
 * looks back this far behind the last one.
 */
const COMMIT_MARGIN = '1 hour';

/** Owns daily_count_run, and writes daily counts (decisions, callee warnings) to the outbox (ADMIN). */
@Injectable()
export class DailyCountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Counts active decisions per day (CST), policy, action and reason, for every
   * day that has a decision recorded since the last recount, and queues the
   * counts in the same transaction that moves the mark on; callee warnings the
   * same way, per day and policy. Replicas recounting at once take turns on the
   * mark's row; a count queued already is left alone. Resolves with the days
   * counted and the number of messages newly queued.
   */
  async recount(
    toMessages: (counts: DayCount[], calleeWarnings: DayCalleeWarnings[]) => CountMessage[],
  ): Promise<{ days: string[]; queued: number }> {
    return this.dataSource.transaction(async (em) => {
      await em.query(`SELECT 1 FROM daily_count_run WHERE id = 1 FOR UPDATE`);
      const rows: (Omit<DayCount, 'count'> & { count: string })[] = await em.query(
        `WITH days AS (
           SELECT DISTINCT (at AT TIME ZONE INTERVAL '+08:00')::date AS day FROM decision
           WHERE NOT shadow
             AND recorded_at >= (SELECT counted_to - interval '${COMMIT_MARGIN}' FROM daily_count_run WHERE id = 1)
         )
         SELECT to_char(d.day, 'YYYY-MM-DD') AS day, x.policy, x.action, r.reason, count(*) AS count
         FROM days d
         JOIN decision x ON x.at >= (d.day::timestamp AT TIME ZONE INTERVAL '+08:00')
                        AND x.at < ((d.day + 1)::timestamp AT TIME ZONE INTERVAL '+08:00')
         CROSS JOIN LATERAL unnest(x.reasons) AS r(reason)
         WHERE NOT x.shadow
         GROUP BY 1, 2, 3, 4
         ORDER BY 1, 2, 3, 4`,
      );
      const counts = rows.map((r) => ({ ...r, count: Number(r.count) }));
      const warned: (Omit<DayCalleeWarnings, 'count'> & { count: string })[] = await em.query(
        `WITH days AS (
           SELECT DISTINCT (at AT TIME ZONE INTERVAL '+08:00')::date AS day FROM callee_warning
           WHERE recorded_at >= (SELECT counted_to - interval '${COMMIT_MARGIN}' FROM daily_count_run WHERE id = 1)
         )
         SELECT to_char(d.day, 'YYYY-MM-DD') AS day, w.policy, count(*) AS count
         FROM days d
         JOIN callee_warning w ON w.at >= (d.day::timestamp AT TIME ZONE INTERVAL '+08:00')
                              AND w.at < ((d.day + 1)::timestamp AT TIME ZONE INTERVAL '+08:00')
         GROUP BY 1, 2
         ORDER BY 1, 2`,
      );
      const calleeWarnings = warned.map((r) => ({ ...r, count: Number(r.count) }));
      const messages = toMessages(counts, calleeWarnings);
      let queued = 0;
      if (messages.length > 0) {
        const inserted: unknown[] = await em.query(
          `INSERT INTO outbox (destination, idempotency_key, msisdn, payload)
           SELECT 'ADMIN', key, NULL, payload FROM unnest($1::varchar[], $2::jsonb[]) AS u(key, payload)
           ON CONFLICT (destination, idempotency_key) DO NOTHING RETURNING id`,
          [messages.map((m) => m.idempotencyKey), messages.map((m) => JSON.stringify(m.payload))],
        );
        queued = inserted.length;
      }
      // The transaction's start: decisions recorded from then on are the next recount's.
      await em.query(`UPDATE daily_count_run SET counted_to = now() WHERE id = 1`);
      return { days: [...new Set([...counts, ...calleeWarnings].map((c) => c.day))].sort(), queued };
    });
  }
}
