import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The link to the administration: directives applied (one row each, so a
 * redelivered directive is answered with its stored outcome, never applied
 * twice), the high-risk cell list it pushes (kept, so a restart loads it), and
 * how far the daily counts have looked at recorded decisions.
 */
export class AdminLink1764400000330 implements MigrationInterface {
  name = 'AdminLink1764400000330';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE directive_log (
        directive_id varchar(128) PRIMARY KEY,
        kind varchar(16) NOT NULL,
        msisdn varchar(16),
        outcome varchar(8) NOT NULL CHECK (outcome IN ('APPLIED', 'REJECTED')),
        detail text NOT NULL,
        state varchar(10),
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX directive_log_msisdn_idx ON directive_log (msisdn, applied_at) WHERE msisdn IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE high_risk_cell (
        cell varchar(40) PRIMARY KEY,
        reason text NOT NULL,
        source varchar(128) NOT NULL,
        added_at timestamptz NOT NULL,
        expires_at timestamptz
      )`);
    await q.query(
      `CREATE TABLE high_risk_cell_list (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
    );
    await q.query(`INSERT INTO high_risk_cell_list (id, version) VALUES (1, 0)`);
    // Daily counts recount the days of decisions recorded since the last run.
    await q.query(
      `CREATE TABLE daily_count_run (id smallint PRIMARY KEY CHECK (id = 1), counted_to timestamptz NOT NULL)`,
    );
    await q.query(`INSERT INTO daily_count_run (id, counted_to) VALUES (1, '-infinity')`);
    await q.query(`CREATE INDEX decision_recorded_at_idx ON decision (recorded_at) WHERE NOT shadow`);
    // A daily count concerns no one number.
    await q.query(`ALTER TABLE outbox ALTER COLUMN msisdn DROP NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM outbox WHERE msisdn IS NULL`);
    await q.query(`ALTER TABLE outbox ALTER COLUMN msisdn SET NOT NULL`);
    await q.query(`DROP INDEX decision_recorded_at_idx`);
    for (const table of ['daily_count_run', 'high_risk_cell_list', 'high_risk_cell', 'directive_log'])
      await q.query(`DROP TABLE ${table}`);
  }
}
