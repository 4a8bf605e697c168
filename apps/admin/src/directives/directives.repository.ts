import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Action } from '@app/domain';
import { cellListFromJson } from '../cells/cell-list';
import type { StoredEvidence } from '../feed/evidence';
import { DirectiveKind, DirectiveStatus, OPEN_STATUSES, type DirectiveRecord } from './directive';

/** A directive as issued (before any delivery), with the key and content hash it was issued under. */
export type NewDirective = Pick<
  DirectiveRecord,
  'id' | 'kind' | 'carrier' | 'msisdn' | 'reason' | 'evidence' | 'cells' | 'issuedBy' | 'issuedAt' | 'expiresAt'
> & { idempotencyKey: string; contentHash: string };

export interface DirectiveFilter {
  carrier?: string;
  msisdn?: string;
  status?: DirectiveStatus;
}

/** Where a newest-first page ended. */
export interface DirectivePosition {
  issuedAt: Date;
  id: string;
}

interface DirectiveRow {
  id: string;
  kind: DirectiveKind;
  carrier: string;
  msisdn: string | null;
  case_id: string | null;
  reason: string;
  evidence: StoredEvidence | Record<string, never>;
  cells: Parameters<typeof cellListFromJson>[0] | null;
  issued_by: string;
  issued_at: Date;
  expires_at: Date;
  status: DirectiveStatus;
  deliveries: number;
  last_delivered_at: Date | null;
  acknowledged_at: Date | null;
  ack_detail: string | null;
  ack_state: Action | null;
}

// A directive names the number's case, when there is one: the latest, whether the case opened before or after it.
const COLUMNS = `id, kind, carrier, msisdn,
  COALESCE(case_id, (SELECT c.case_id FROM case_file c WHERE c.msisdn = directive.msisdn
    ORDER BY c.opened_at DESC LIMIT 1)) AS case_id,
  reason, evidence, cells, issued_by, issued_at, expires_at, status, deliveries,
  last_delivered_at, acknowledged_at, ack_detail, ack_state`;

/** Namespace of the per-number advisory locks that keep the correlation from issuing twice. */
const NUMBER_LOCK_SPACE = 727_002;

function toRecord(row: DirectiveRow): DirectiveRecord {
  return {
    id: row.id,
    kind: row.kind,
    carrier: row.carrier,
    msisdn: row.msisdn,
    caseId: row.case_id,
    reason: row.reason,
    // The migration's default for directives without evidence is '{}'.
    evidence: 'summary' in row.evidence ? (row.evidence as StoredEvidence) : null,
    cells: row.cells ? cellListFromJson(row.cells) : null,
    issuedBy: row.issued_by,
    issuedAt: row.issued_at,
    expiresAt: row.expires_at,
    status: row.status,
    deliveries: row.deliveries,
    lastDeliveredAt: row.last_delivered_at,
    acknowledgedAt: row.acknowledged_at,
    ackDetail: row.ack_detail,
    ackState: row.ack_state,
  };
}

/** Owns the directive table. */
@Injectable()
export class DirectivesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, d: NewDirective): Promise<DirectiveRecord> {
    const rows: DirectiveRow[] = await em.query(
      `INSERT INTO directive (id, idempotency_key, content_hash, kind, carrier, msisdn, reason, evidence, cells,
         cells_version,
                              issued_by, issued_at, expires_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING ${COLUMNS}`,
      [
        d.id,
        d.idempotencyKey,
        d.contentHash,
        d.kind,
        d.carrier,
        d.msisdn,
        d.reason,
        JSON.stringify(d.evidence ?? {}),
        d.cells ? JSON.stringify(d.cells) : null,
        d.cells?.version ?? null,
        d.issuedBy,
        d.issuedAt,
        d.expiresAt,
        DirectiveStatus.Pending,
      ],
    );
    return toRecord(rows[0]);
  }

  async byKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<{ record: DirectiveRecord; contentHash: string } | undefined> {
    const rows: (DirectiveRow & { content_hash: string })[] = await em.query(
      `SELECT ${COLUMNS}, content_hash FROM directive WHERE idempotency_key = $1`,
      [idempotencyKey],
    );
    return rows[0] && { record: toRecord(rows[0]), contentHash: rows[0].content_hash };
  }

  /**
   * The directive of a key as its insert answered it: PENDING, never delivered
   * (a replay answers what the first call did).
   */
  async asIssuedByKey(
    em: EntityManager,
    idempotencyKey: string,
  ): Promise<{ result: DirectiveRecord; contentHash: string } | undefined> {
    const found = await this.byKey(em, idempotencyKey);
    return (
      found && {
        contentHash: found.contentHash,
        result: {
          ...found.record,
          status: DirectiveStatus.Pending,
          deliveries: 0,
          lastDeliveredAt: null,
          acknowledgedAt: null,
          ackDetail: null,
          ackState: null,
        },
      }
    );
  }

  async byId(id: string): Promise<DirectiveRecord | undefined> {
    const rows: DirectiveRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM directive WHERE id = $1`, [id]);
    return rows[0] && toRecord(rows[0]);
  }

  /** Serialises writers deciding about one number until the transaction ends. */
  async lockNumber(em: EntityManager, msisdn: string): Promise<void> {
    await em.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [NUMBER_LOCK_SPACE, msisdn]);
  }

  /** Whether the carrier has an open, unexpired directive of one of these kinds about the number. */
  async hasOpen(
    em: EntityManager,
    msisdn: string,
    carrier: string,
    kinds: DirectiveKind[],
    now: Date,
  ): Promise<boolean> {
    const rows: unknown[] = await em.query(
      `SELECT 1 FROM directive WHERE msisdn = $1 AND carrier = $2 AND kind = ANY($3::varchar[])
         AND status = ANY($4::varchar[]) AND expires_at > $5 LIMIT 1`,
      [msisdn, carrier, kinds, OPEN_STATUSES, now],
    );
    return rows.length > 0;
  }

  /** Newest first, after a page position. */
  async page(filter: DirectiveFilter, after: DirectivePosition | undefined, limit: number): Promise<DirectiveRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (condition: (n: number) => string, ...values: unknown[]) => {
      where.push(condition(params.length + 1));
      params.push(...values);
    };
    if (filter.carrier) add((n) => `carrier = $${n}`, filter.carrier);
    if (filter.msisdn) add((n) => `msisdn = $${n}`, filter.msisdn);
    if (filter.status) add((n) => `status = $${n}`, filter.status);
    if (after) add((n) => `(issued_at, id) < ($${n}, $${n + 1})`, after.issuedAt, after.id);
    params.push(limit);
    const rows: DirectiveRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM directive ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY issued_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map(toRecord);
  }

  /** A carrier's unexpired directives in these statuses, in issued order. */
  async openFor(carrier: string, statuses: readonly DirectiveStatus[], now: Date): Promise<DirectiveRecord[]> {
    const rows: DirectiveRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM directive WHERE carrier = $1 AND status = ANY($2::varchar[]) AND expires_at > $3
         ORDER BY issued_at, id`,
      [carrier, statuses, now],
    );
    return rows.map(toRecord);
  }

  /** The carrier's directive holding the newest version of the high-risk cell list. */
  async latestCellList(carrier: string): Promise<DirectiveRecord | undefined> {
    const rows: DirectiveRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM directive WHERE carrier = $1 AND kind = $2 ORDER BY cells_version DESC LIMIT 1`,
      [carrier, DirectiveKind.HighRiskCells],
    );
    return rows[0] && toRecord(rows[0]);
  }

  /** Older list directives the carrier has not acknowledged are replaced by a newer list: they expire. */
  async supersedeCellLists(em: EntityManager, carrier: string, version: number): Promise<void> {
    await em.query(
      `UPDATE directive SET status = $1
         WHERE carrier = $2 AND kind = $3 AND status = ANY($4::varchar[]) AND cells_version < $5`,
      [DirectiveStatus.Expired, carrier, DirectiveKind.HighRiskCells, OPEN_STATUSES, version],
    );
  }

  /**
   * Counts a send: one more delivery, PENDING becomes DELIVERED. The rows are
   * locked in id order first: streams of one carrier mark overlapping sets at
   * once, and an update's own scan order changes as rows move, so without it
   * they deadlock.
   */
  async markDelivered(ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `WITH locked AS (SELECT id FROM directive WHERE id = ANY($1::varchar[]) ORDER BY id FOR UPDATE)
       UPDATE directive SET deliveries = deliveries + 1, last_delivered_at = $2,
         status = CASE WHEN status = $3 THEN $4 ELSE status END
       WHERE id IN (SELECT id FROM locked)`,
      [ids, now, DirectiveStatus.Pending, DirectiveStatus.Delivered],
    );
  }

  /**
   * Counts a send of the current cell list on a new stream: it awaits an
   * acknowledgement again, and the current list does not expire while it is sent.
   */
  async markListResent(id: string, now: Date, expiresAt: Date): Promise<DirectiveRecord> {
    const rows: [DirectiveRow[], number] = await this.dataSource.query(
      `UPDATE directive SET deliveries = deliveries + 1, last_delivered_at = $2, status = $3,
         expires_at = GREATEST(expires_at, $4)
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, now, DirectiveStatus.Delivered, expiresAt],
    );
    return toRecord(rows[0][0]);
  }

  /** Records the carrier's acknowledgement of its own open directive; false when there was none to acknowledge. */
  async acknowledge(
    id: string,
    carrier: string,
    ack: { status: DirectiveStatus; detail: string; state: Action | null; at: Date },
  ): Promise<boolean> {
    const rows: [unknown[], number] = await this.dataSource.query(
      `UPDATE directive SET status = $3, acknowledged_at = $4, ack_detail = $5, ack_state = $6
       WHERE id = $1 AND carrier = $2 AND status = ANY($7::varchar[]) RETURNING id`,
      [id, carrier, ack.status, ack.at, ack.detail, ack.state, OPEN_STATUSES],
    );
    return rows[1] > 0;
  }

  /** Open directives past their expiry become EXPIRED; answers how many. */
  async expireDue(now: Date): Promise<number> {
    const rows: [unknown[], number] = await this.dataSource.query(
      `UPDATE directive SET status = $1 WHERE status = ANY($2::varchar[]) AND expires_at <= $3`,
      [DirectiveStatus.Expired, OPEN_STATUSES, now],
    );
    return rows[1];
  }
}
