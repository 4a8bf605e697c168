import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed heads of the audit chain (AuditAnchors), outside the audited table:
 * written only by the anchor role, read by the application role, rows never
 * changed (a trigger, as on audit_event).
 */
export class CreateAuditAnchor1764400000720 implements MigrationInterface {
  name = 'CreateAuditAnchor1764400000720';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_anchor (
        id bigserial PRIMARY KEY,
        head_id bigint NOT NULL CHECK (head_id >= 0),
        head_hash char(64) NOT NULL,
        at timestamptz NOT NULL,
        key_id varchar(64) NOT NULL,
        signature varchar(200) NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_anchor_head_idx ON audit_anchor (head_id)`);
    await q.query(`
      CREATE FUNCTION audit_anchor_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_anchor is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_anchor_no_change BEFORE UPDATE OR DELETE ON audit_anchor
      FOR EACH ROW EXECUTE FUNCTION audit_anchor_append_only()`);
    await q.query(`
      CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
      FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_anchor`);
    await q.query(`DROP FUNCTION audit_anchor_append_only()`);
  }
}
