import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { HighRiskCellEntry, HighRiskCellList } from './cell-list';

export type CellChangeKind = 'ADD' | 'REMOVE';

export interface CellChange {
  idempotencyKey: string;
  contentHash: string;
  cell: string;
  change: CellChangeKind;
  reason: string;
  source: string;
  actor: string;
  at: Date;
  expiresAt: Date | null;
}

/** Arbitrary, fixed key of the lock that makes list versions commit in order. */
const LIST_LOCK_KEY = 727_003;

/** Owns high_risk_cell (the current list) and high_risk_cell_change (its versions). */
@Injectable()
export class CellsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** One writer of the list at a time, until the transaction ends. */
  async lockList(em: EntityManager): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1)', [LIST_LOCK_KEY]);
  }

  /** The change made with this key: its content hash and the list version it made. */
  async changeByKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<{ contentHash: string; version: number } | undefined> {
    const rows: { content_hash: string; version: string }[] = await em.query(
      'SELECT content_hash, version FROM high_risk_cell_change WHERE idempotency_key = $1',
      [idempotencyKey],
    );
    return rows[0] && { contentHash: rows[0].content_hash, version: Number(rows[0].version) };
  }

  async isListed(em: EntityManager, cell: string, now: Date): Promise<boolean> {
    const rows: unknown[] = await em.query('SELECT 1 FROM high_risk_cell WHERE cell = $1 AND expires_at > $2', [
      cell,
      now,
    ]);
    return rows.length > 0;
  }

  /** Appends the change (a new version) and applies it to the current list. */
  async apply(em: EntityManager, change: CellChange): Promise<void> {
    await em.query(
      `INSERT INTO high_risk_cell_change
              (idempotency_key, content_hash, cell, change, reason, source, actor, at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        change.idempotencyKey,
        change.contentHash,
        change.cell,
        change.change,
        change.reason,
        change.source,
        change.actor,
        change.at,
        change.expiresAt,
      ],
    );
    if (change.change === 'REMOVE') {
      await em.query('DELETE FROM high_risk_cell WHERE cell = $1', [change.cell]);
      return;
    }
    await em.query(
      `INSERT INTO high_risk_cell (cell, reason, source, added_by, added_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (cell) DO UPDATE SET reason = EXCLUDED.reason, source = EXCLUDED.source,
         added_by = EXCLUDED.added_by,
         added_at = EXCLUDED.added_at, expires_at = EXCLUDED.expires_at`,
      [change.cell, change.reason, change.source, change.actor, change.at, change.expiresAt],
    );
  }

  /** The unexpired cells and the list's version (the last change's), read in the caller's transaction or alone. */
  async current(now: Date, em: EntityManager = this.dataSource.manager): Promise<HighRiskCellList> {
    const [version]: { version: string }[] = await em.query(
      'SELECT COALESCE(MAX(version), 0) AS version FROM high_risk_cell_change',
    );
    const cells: HighRiskCellEntry[] = await em.query(
      `SELECT cell, reason, source, added_at AS "addedAt", expires_at AS "expiresAt"
         FROM high_risk_cell WHERE expires_at > $1 ORDER BY cell`,
      [now],
    );
    return { version: Number(version.version), cells };
  }
}
