import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Callee warnings (policy.calleeProtection): a callee of ours who answered a
 * call from a number at the policy's fromStep or above, and had not been in
 * contact with it, is warned by SMS. One row per warning, keyed by an id derived
 * from the warning (a replayed batch stores nothing twice), written in the
 * transaction of its batch's decisions. Its SMS goes through the notice table:
 * a notice now comes from a decision or from a callee warning, exactly one.
 */
export class CalleeWarnings1764400000820 implements MigrationInterface {
  name = 'CalleeWarnings1764400000820';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE callee_warning (
        id char(32) PRIMARY KEY,
        callee varchar(16) NOT NULL,
        caller varchar(16) NOT NULL,
        at timestamptz NOT NULL,
        policy varchar(64) NOT NULL,
        reasons text[] NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Explain counts a caller's warned callees; the daily counts read the days recorded since their last run.
    await q.query(`CREATE INDEX callee_warning_caller_idx ON callee_warning (caller, at DESC)`);
    await q.query(`CREATE INDEX callee_warning_recorded_idx ON callee_warning (recorded_at)`);
    await q.query(`ALTER TABLE notice ALTER COLUMN decision_id DROP NOT NULL`);
    await q.query(`ALTER TABLE notice ADD COLUMN callee_warning_id char(32) UNIQUE REFERENCES callee_warning (id)`);
    await q.query(`
      ALTER TABLE notice ADD CONSTRAINT notice_source_check
        CHECK ((decision_id IS NULL) <> (callee_warning_id IS NULL))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM notice WHERE callee_warning_id IS NOT NULL`);
    await q.query(`ALTER TABLE notice DROP CONSTRAINT notice_source_check`);
    await q.query(`ALTER TABLE notice DROP COLUMN callee_warning_id`);
    await q.query(`ALTER TABLE notice ALTER COLUMN decision_id SET NOT NULL`);
    await q.query(`DROP TABLE callee_warning`);
  }
}
