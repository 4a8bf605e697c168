import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Targets stored as typed (`19112345678`) are stored in E.164 like every new
 * line's (`+8619112345678`), so one search on the target index finds a number
 * whichever form it was looked up in.
 *
 * Those lines' hashes covered the typed form, and rewriting the chain would
 * rewrite history (and every hash an auditor kept): the typed form moves to
 * `hashed_target`, which the hash still covers, and `target` may differ from
 * it only by the `+86` prefix (a check constraint; VerifyAuditChain checks it
 * too). The append-only trigger is switched off for this one update, by the
 * owner, inside the migration's transaction.
 */
export class NormaliseAuditTargets1764400000710 implements MigrationInterface {
  name = 'NormaliseAuditTargets1764400000710';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN hashed_target varchar(32)`);
    await q.query(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change`);
    await q.query(
      `UPDATE audit_event SET hashed_target = target, target = '+86' || target WHERE target ~ '^1[3-9][0-9]{9}$'`,
    );
    await q.query(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change`);
    await q.query(`
      ALTER TABLE audit_event ADD CONSTRAINT audit_event_hashed_target_ck
      CHECK (hashed_target IS NULL OR (hashed_target ~ '^1[3-9][0-9]{9}$' AND target = '+86' || hashed_target))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event DROP CONSTRAINT audit_event_hashed_target_ck`);
    await q.query(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_change`);
    await q.query(`UPDATE audit_event SET target = hashed_target WHERE hashed_target IS NOT NULL`);
    await q.query(`ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_change`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN hashed_target`);
  }
}
