import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DemotionRecord, RuleDemotion } from '@app/domain';

/** A demotion as stored, of the active ladder or a shadow's; `reenabledAt` null while it is in force. */
export interface StoredDemotion extends DemotionRecord {
  shadow: boolean;
}

interface DemotionRow {
  policy: string;
  reason: string;
  shadow: boolean;
  demoted_at: Date;
  mistakes: number;
  actions: number;
  window_days: number;
  reenabled_at: Date | null;
  reenabled_by: string | null;
  why: string | null;
}

const COLUMNS = 'policy, reason, shadow, demoted_at, mistakes, actions, window_days, reenabled_at, reenabled_by, why';

/** Owns rule_demotion: the demotions of the error budget per rule and their re-enables. */
@Injectable()
export class RuleBudgetRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Writes demotions in the caller's transaction (with the decisions of their batch); one already there stays. */
  async insertIn(em: EntityManager, demotions: readonly RuleDemotion[]): Promise<void> {
    if (demotions.length === 0) return;
    await em.query(
      `INSERT INTO rule_demotion (policy, reason, shadow, demoted_at, mistakes, actions, window_days)
       SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::boolean[], $4::timestamptz[], $5::int[], $6::int[],
                            $7::float8[])
       ON CONFLICT DO NOTHING`,
      [
        demotions.map((d) => d.policy),
        demotions.map((d) => d.reason),
        demotions.map((d) => d.shadow),
        demotions.map((d) => new Date(d.at)),
        demotions.map((d) => d.mistakes),
        demotions.map((d) => d.actions),
        demotions.map((d) => d.windowDays),
      ],
    );
  }

  /** The demotions in force on one ladder (start-up puts them back). */
  async inForce(policy: string, shadow: boolean): Promise<StoredDemotion[]> {
    const rows: DemotionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rule_demotion WHERE policy = $1 AND shadow = $2 AND reenabled_at IS NULL
       ORDER BY demoted_at, reason`,
      [policy, shadow],
    );
    return rows.map(toStored);
  }

  /** Each reason's latest re-enable on one ladder: its counts start there. */
  async latestReenables(policy: string, shadow: boolean): Promise<{ reason: string; at: Date }[]> {
    return this.dataSource.query(
      `SELECT reason, max(reenabled_at) AS at FROM rule_demotion
       WHERE policy = $1 AND shadow = $2 AND reenabled_at IS NOT NULL GROUP BY reason ORDER BY reason`,
      [policy, shadow],
    );
  }

  /**
   * Ends the demotion in force of `reason` on the ladders of `policy` named by
   * `shadows`, in the caller's transaction: who, why and when. Answers the rows
   * it ended (none: it was not in force, e.g. re-enabled meanwhile elsewhere).
   */
  async reenableIn(
    em: EntityManager,
    target: { policy: string; reason: string; shadows: boolean[] },
    at: Date,
    by: string,
    why: string,
  ): Promise<StoredDemotion[]> {
    const [rows]: [DemotionRow[], number] = await em.query(
      `UPDATE rule_demotion SET reenabled_at = $4, reenabled_by = $5, why = $6
       WHERE policy = $1 AND reason = $2 AND shadow = ANY($3::boolean[]) AND reenabled_at IS NULL
       RETURNING ${COLUMNS}`,
      [target.policy, target.reason, target.shadows, at, by, why],
    );
    return rows.map(toStored);
  }

  /**
   * The demotions of `reason` on the ladders of `policy` that `by` re-enabled with `why` since `since`, each still
   * its ladder's latest demotion of that reason, newest first: what a retry of that re-enable finds.
   */
  async reenabledAs(
    request: { policy: string; reason: string; by: string; why: string },
    since: Date,
  ): Promise<StoredDemotion[]> {
    const rows: DemotionRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM rule_demotion d
       WHERE policy = $1 AND reason = $2 AND reenabled_by = $3 AND why = $4 AND reenabled_at >= $5
         AND NOT EXISTS (SELECT 1 FROM rule_demotion later
                         WHERE later.policy = d.policy AND later.reason = d.reason AND later.shadow = d.shadow
                           AND later.demoted_at > d.demoted_at)
       ORDER BY reenabled_at DESC, shadow`,
      [request.policy, request.reason, request.by, request.why, since],
    );
    return rows.map(toStored);
  }
}

function toStored(r: DemotionRow): StoredDemotion {
  return {
    policy: r.policy,
    reason: r.reason,
    shadow: r.shadow,
    demotedAt: r.demoted_at,
    mistakes: Number(r.mistakes),
    actions: Number(r.actions),
    windowDays: Number(r.window_days),
    reenabledAt: r.reenabled_at,
    reenabledBy: r.reenabled_by,
    why: r.why,
  };
}
