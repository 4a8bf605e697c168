import { SqlMigration } from '@app/persistence';
import { appendOnlyStatements } from './append-only.migration';

/**
 * Signed heads of the audit chain (AuditAnchors), outside the audited table:
 * written only by the anchor role, read by the application role, rows never
 * changed (a trigger, as on audit_event).
 */
export class CreateAuditAnchor1764400000720 extends SqlMigration {
  name = 'CreateAuditAnchor1764400000720';

  protected readonly upSql = [
    `
      CREATE TABLE audit_anchor (
        id bigserial PRIMARY KEY,
        head_id bigint NOT NULL CHECK (head_id >= 0),
        head_hash char(64) NOT NULL,
        at timestamptz NOT NULL,
        key_id varchar(64) NOT NULL,
        signature varchar(200) NOT NULL
      )`,
    `CREATE INDEX audit_anchor_head_idx ON audit_anchor (head_id)`,
    ...appendOnlyStatements('audit_anchor'),
  ];

  protected readonly downSql = [`DROP TABLE audit_anchor`, `DROP FUNCTION audit_anchor_append_only()`];
}
