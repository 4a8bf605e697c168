import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { RegistryStatus, type NumberState } from '@app/domain';
import type { ChangeCause } from './status-change.entity';
import { StatusChangeEntity } from './status-change.entity';

/** A status change as the feed carries it (versions as numbers: they stay far below 2^53). */
export interface StatusChange {
  version: number;
  msisdn: string;
  status: RegistryStatus;
  previousStatus: RegistryStatus;
  cause: ChangeCause;
  changedAt: Date;
}

export type NewStatusChange = Omit<StatusChange, 'version'> & { clearedAt: Date | null };

interface StateRow {
  msisdn: string;
  status: RegistryStatus;
  version: string;
  cleared_at: Date | null;
}

/** Owns number_status, status_change and the change feed's version counter. */
@Injectable()
export class NumbersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Locks the numbers' status rows (creating NOT_LISTED ones) in msisdn order, so
   * concurrent batches never deadlock, and returns their states.
   */
  async lockStates(em: EntityManager, msisdns: string[]): Promise<Map<string, NumberState>> {
    const sorted = [...new Set(msisdns)].sort();
    await em.query(
      `INSERT INTO number_status (msisdn, status, version) SELECT unnest($1::varchar[]), 'NOT_LISTED', 0
       ON CONFLICT (msisdn) DO NOTHING`,
      [sorted],
    );
    const rows: StateRow[] = await em.query(
      `SELECT msisdn, status, version, cleared_at FROM number_status WHERE msisdn = ANY($1::varchar[])
       ORDER BY msisdn FOR UPDATE`,
      [sorted],
    );
    return new Map(
      rows.map((r) => [r.msisdn, { status: r.status, version: Number(r.version), clearedAt: r.cleared_at }]),
    );
  }

  /**
   * Numbers the changes, records them and updates the statuses. Takes the feed's
   * counter lock last, so it is held only for the rest of the transaction.
   */
  async recordChanges(em: EntityManager, changes: NewStatusChange[]): Promise<StatusChange[]> {
    if (changes.length === 0) return [];
    const [{ version: last }]: { version: string }[] = await em.query(
      // Wrapped in a SELECT: TypeORM returns [rows, count] for a bare UPDATE … RETURNING.
      `WITH bumped AS (UPDATE change_feed_head SET version = version + $1 WHERE id = 1 RETURNING version)
       SELECT version FROM bumped`,
      [changes.length],
    );
    const first = Number(last) - changes.length + 1;
    const numbered = changes.map((c, i) => ({ ...c, version: first + i }));
    await em.query(
      `INSERT INTO status_change (version, msisdn, status, previous_status, cause, changed_at)
       SELECT * FROM unnest($1::bigint[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[],
                            $6::timestamptz[])`,
      [
        numbered.map((c) => c.version),
        numbered.map((c) => c.msisdn),
        numbered.map((c) => c.status),
        numbered.map((c) => c.previousStatus),
        numbered.map((c) => c.cause),
        numbered.map((c) => c.changedAt),
      ],
    );
    const latest = new Map<string, (typeof numbered)[number]>();
    for (const c of numbered) latest.set(c.msisdn, c);
    const finals = [...latest.values()];
    await em.query(
      `UPDATE number_status AS n
         SET status = u.status, version = u.version, cleared_at = COALESCE(u.cleared_at, n.cleared_at),
             updated_at = u.changed_at
       FROM unnest($1::varchar[], $2::varchar[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
              AS u(msisdn, status, version, cleared_at, changed_at)
       WHERE n.msisdn = u.msisdn`,
      [
        finals.map((c) => c.msisdn),
        finals.map((c) => c.status),
        finals.map((c) => c.version),
        finals.map((c) => c.clearedAt),
        finals.map((c) => c.changedAt),
      ],
    );
    await em.query(`SELECT pg_notify($1, $2)`, [CHANGE_CHANNEL, String(Number(last))]);
    return numbered.map(({ clearedAt: _clearedAt, ...change }) => change);
  }

  /** Committed changes after a version, in order. */
  async changesAfter(version: number, limit: number): Promise<StatusChange[]> {
    const rows = await this.dataSource
      .getRepository(StatusChangeEntity)
      .createQueryBuilder('c')
      .where('c.version > :version', { version })
      .orderBy('c.version', 'ASC')
      .limit(limit)
      .getMany();
    return rows.map(toChange);
  }

  /** A number's changes, oldest first, after a keyset position (time, version). */
  async pageOf(msisdn: string, after: { at: Date; id: string } | null, limit: number): Promise<StatusChange[]> {
    const q = this.dataSource
      .getRepository(StatusChangeEntity)
      .createQueryBuilder('c')
      .where('c.msisdn = :msisdn', { msisdn });
    if (after) q.andWhere('(c.changed_at, c.version) > (:at, :id)', { at: after.at, id: after.id });
    const rows = await q.orderBy('c.changed_at', 'ASC').addOrderBy('c.version', 'ASC').limit(limit).getMany();
    return rows.map(toChange);
  }

  /**
   * Every listed number with the feed version the listing is consistent with,
   * read from one snapshot, a page at a time.
   */
  async snapshot(
    onPage: (rows: { msisdn: string; status: RegistryStatus; version: number }[]) => void,
    pageSize = 20_000,
  ): Promise<number> {
    return this.dataSource.transaction('REPEATABLE READ', async (em) => {
      const [{ version }]: { version: string }[] = await em.query(`SELECT version FROM change_feed_head WHERE id = 1`);
      let after = '';
      for (;;) {
        const rows: { msisdn: string; status: RegistryStatus; version: string }[] = await em.query(
          `SELECT msisdn, status, version FROM number_status WHERE msisdn > $1 AND status <> 'NOT_LISTED'
           ORDER BY msisdn LIMIT $2`,
          [after, pageSize],
        );
        if (rows.length === 0) break;
        onPage(rows.map((r) => ({ msisdn: r.msisdn, status: r.status, version: Number(r.version) })));
        after = rows[rows.length - 1].msisdn;
        if (rows.length < pageSize) break;
      }
      return Number(version);
    });
  }

  async stateOf(msisdn: string): Promise<{ status: RegistryStatus; version: number }> {
    const rows: StateRow[] = await this.dataSource.query(
      `SELECT msisdn, status, version, cleared_at FROM number_status WHERE msisdn = $1`,
      [msisdn],
    );
    return rows[0]
      ? { status: rows[0].status, version: Number(rows[0].version) }
      : { status: RegistryStatus.NotListed, version: 0 };
  }
}

/** The NOTIFY channel that wakes the change-feed followers after a commit. */
export const CHANGE_CHANNEL = 'registry_status_changes';

function toChange(row: StatusChangeEntity): StatusChange {
  return {
    version: Number(row.version),
    msisdn: row.msisdn,
    status: row.status,
    previousStatus: row.previousStatus,
    cause: row.cause,
    changedAt: row.changedAt,
  };
}
