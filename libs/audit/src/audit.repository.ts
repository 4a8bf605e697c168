import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { AuditRecord } from './audit-chain';
import { AuditEventEntity } from './audit-event.entity';

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  outcome?: string;
  since?: Date;
  until?: Date;
  afterId?: string;
}

/** AuditFilter as the table is searched: each text field matches any of its values. */
export interface StoredAuditFilter {
  actor?: string[];
  action?: string[];
  target?: string[];
  outcome?: string[];
  since?: Date;
  until?: Date;
  afterId?: string;
}

/** Arbitrary, fixed key for the lock that keeps the hash chain linear across writers. */
const CHAIN_LOCK_KEY = 727_001;

@Injectable()
export class AuditRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends records to the chain in one transaction; `link` computes each hash from the previous one. */
  async append(
    records: AuditRecord[],
    link: (prevHash: string, record: AuditRecord) => string,
    genesis: string,
  ): Promise<void> {
    await this.dataSource.transaction(async (em: EntityManager) => {
      await em.query('SELECT pg_advisory_xact_lock($1)', [CHAIN_LOCK_KEY]);
      const last: { hash: string }[] = await em.query('SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1');
      let prevHash = last[0]?.hash ?? genesis;
      const rows = records.map((record) => {
        const hash = link(prevHash, record);
        const row = { ...record, prevHash, hash };
        prevHash = hash;
        return row;
      });
      await em.query(
        `INSERT INTO audit_event (at, actor, role, action, target, purpose, case_id, outcome, detail, prev_hash, hash)
         SELECT at, actor, role, action, target, purpose, case_id, outcome, detail, prev_hash, hash
         FROM unnest($1::timestamptz[], $2::varchar[], $3::varchar[], $4::varchar[], $5::varchar[], $6::varchar[],
                     $7::varchar[], $8::varchar[], $9::jsonb[], $10::char(64)[], $11::char(64)[])
              WITH ORDINALITY
              AS u(at, actor, role, action, target, purpose, case_id, outcome, detail, prev_hash, hash, n)
         ORDER BY n`,
        [
          rows.map((r) => r.at),
          rows.map((r) => r.actor),
          rows.map((r) => r.role),
          rows.map((r) => r.action),
          rows.map((r) => r.target),
          rows.map((r) => r.purpose),
          rows.map((r) => r.caseId),
          rows.map((r) => r.outcome),
          rows.map((r) => JSON.stringify(r.detail)),
          rows.map((r) => r.prevHash),
          rows.map((r) => r.hash),
        ],
      );
    });
  }

  async list(filter: StoredAuditFilter, limit: number): Promise<AuditEventEntity[]> {
    const q = this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .orderBy('e.id', 'ASC')
      .limit(limit);
    if (filter.actor) q.andWhere('e.actor IN (:...actor)', { actor: filter.actor });
    if (filter.action) q.andWhere('e.action IN (:...action)', { action: filter.action });
    if (filter.target) q.andWhere('e.target IN (:...target)', { target: filter.target });
    if (filter.outcome) q.andWhere('e.outcome IN (:...outcome)', { outcome: filter.outcome });
    if (filter.since) q.andWhere('e.at >= :since', { since: filter.since });
    if (filter.until) q.andWhere('e.at < :until', { until: filter.until });
    if (filter.afterId) q.andWhere('e.id > :afterId', { afterId: filter.afterId });
    return q.getMany();
  }

  /** The chain's head now: its last line's id and hash, undefined while the log is empty. */
  async head(): Promise<{ id: string; hash: string } | undefined> {
    const [row]: { id: string; hash: string }[] = await this.dataSource.query(
      'SELECT id::text AS id, hash FROM audit_event ORDER BY id DESC LIMIT 1',
    );
    return row;
  }

  /** The hash of line `id`, undefined when there is no such line. */
  async hashOf(id: string): Promise<string | undefined> {
    const [row]: { hash: string }[] = await this.dataSource.query('SELECT hash FROM audit_event WHERE id = $1', [id]);
    return row?.hash;
  }

  /** The id of the last line before `id` ('0' when there is none). */
  async lastIdBefore(id: string): Promise<string> {
    const [row]: { id: string }[] = await this.dataSource.query(
      'SELECT COALESCE(max(id), 0)::text AS id FROM audit_event WHERE id < $1',
      [id],
    );
    return row.id;
  }

  /** The chain in id order, a page at a time, for verification. */
  async chainPage(afterId: string, limit: number): Promise<AuditEventEntity[]> {
    return this.dataSource
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.id > :afterId', { afterId })
      .orderBy('e.id', 'ASC')
      .limit(limit)
      .getMany();
  }
}
