import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AuditAnchor } from './audit-anchor';

/** The name of the anchor role's login and data source (PersistenceModule makes one per ServiceRole). */
export const AUDIT_ANCHOR_LOGIN = 'anchor';

export interface StoredAnchor extends AuditAnchor {
  id: string;
}

/** An anchor whose head the chain no longer has as anchored. */
export interface DisagreeingAnchor extends StoredAnchor {
  /** The hash the chain has at the anchored id; null when that line is gone. */
  foundHash: string | null;
  /** The last line the chain has before the anchored id ('0' when none). */
  keptBefore: string;
}

/** An anchor's columns under its fields' names, for reads whose rows are the anchors themselves. */
const anchorColumns = (table: string) =>
  `${table}.id::text AS id, ${table}.head_id::text AS "headId", ${table}.head_hash AS "headHash", ${table}.at,
   ${table}.key_id AS "keyId", ${table}.signature`;

/**
 * Owns audit_anchor: anchors are written through the anchor role's own pool
 * (the only role that may insert them) and read through the application's.
 */
@Injectable()
export class AuditAnchorRepository {
  constructor(
    private readonly dataSource: DataSource,
    @InjectDataSource(AUDIT_ANCHOR_LOGIN) private readonly writer: DataSource,
  ) {}

  async insert(anchor: AuditAnchor): Promise<string> {
    const [row]: { id: string }[] = await this.writer.query(
      `INSERT INTO audit_anchor (head_id, head_hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)
       RETURNING id::text AS id`,
      [anchor.headId, anchor.headHash, anchor.at, anchor.keyId, anchor.signature],
    );
    return row.id;
  }

  async newest(): Promise<StoredAnchor | undefined> {
    const [anchor]: StoredAnchor[] = await this.dataSource.query(
      `SELECT ${anchorColumns('audit_anchor')} FROM audit_anchor ORDER BY id DESC LIMIT 1`,
    );
    return anchor;
  }

  /** Anchors, oldest first, whose head line is missing from the chain or has another hash now. */
  async disagreeing(limit: number): Promise<DisagreeingAnchor[]> {
    return this.dataSource.query(
      `SELECT ${anchorColumns('a')}, e.hash AS "foundHash",
              COALESCE((SELECT max(k.id) FROM audit_event k WHERE k.id < a.head_id), 0)::text AS "keptBefore"
       FROM audit_anchor a LEFT JOIN audit_event e ON e.id = a.head_id
       WHERE a.head_id > 0 AND (e.id IS NULL OR e.hash <> a.head_hash)
       ORDER BY a.id LIMIT $1`,
      [limit],
    );
  }
}
