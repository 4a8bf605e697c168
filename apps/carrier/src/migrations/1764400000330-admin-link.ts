import { SqlMigration } from '@app/persistence';

/**
 * The link to the administration: directives applied (one row each, so a
 * redelivered directive is answered with its stored outcome, never applied
 * twice), the high-risk cell list it pushes (kept, so a restart loads it), and
 * how far the daily counts have looked at recorded decisions.
 */
export class AdminLink1764400000330 extends SqlMigration {
  name = 'AdminLink1764400000330';

  protected readonly upSql = [
    `
      CREATE TABLE directive_log (
        directive_id varchar(128) PRIMARY KEY,
        kind varchar(16) NOT NULL,
        msisdn varchar(16),
        outcome varchar(8) NOT NULL CHECK (outcome IN ('APPLIED', 'REJECTED')),
        detail text NOT NULL,
        state varchar(10),
        applied_at timestamptz NOT NULL DEFAULT now()
      )`,
    `CREATE INDEX directive_log_msisdn_idx ON directive_log (msisdn, applied_at) WHERE msisdn IS NOT NULL`,
    `
      CREATE TABLE high_risk_cell (
        cell varchar(40) PRIMARY KEY,
        reason text NOT NULL,
        source varchar(128) NOT NULL,
        added_at timestamptz NOT NULL,
        expires_at timestamptz
      )`,
    'CREATE TABLE high_risk_cell_list (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL, ' +
      'updated_at timestamptz NOT NULL DEFAULT now())',
    `INSERT INTO high_risk_cell_list (id, version) VALUES (1, 0)`,
    // Daily counts recount the days of decisions recorded since the last run.
    `CREATE TABLE daily_count_run (id smallint PRIMARY KEY CHECK (id = 1), counted_to timestamptz NOT NULL)`,
    `INSERT INTO daily_count_run (id, counted_to) VALUES (1, '-infinity')`,
    `CREATE INDEX decision_recorded_at_idx ON decision (recorded_at) WHERE NOT shadow`,
    // A daily count concerns no one number.
    `ALTER TABLE outbox ALTER COLUMN msisdn DROP NOT NULL`,
  ];

  protected readonly downSql = [
    `DELETE FROM outbox WHERE msisdn IS NULL`,
    `ALTER TABLE outbox ALTER COLUMN msisdn SET NOT NULL`,
    `DROP INDEX decision_recorded_at_idx`,
    ...['daily_count_run', 'high_risk_cell_list', 'high_risk_cell', 'directive_log'].map(
      (table) => `DROP TABLE ${table}`,
    ),
  ];
}
