import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the case tracker needs to derive cases from the feed, the directives and
 * the registry's police verdicts, idempotently and in any order of arrival:
 * every case event names the item it came from (recorded once), a number has
 * at most one unresolved case, case ids count per day, and every source says
 * when it last changed in database time (the tracker's watermark).
 */
export class CaseTracking1764400000600 implements MigrationInterface {
  name = 'CaseTracking1764400000600';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE case_event ADD COLUMN source_key varchar(200) NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX case_event_source_key_idx ON case_event (source_key)`);
    await q.query(`CREATE UNIQUE INDEX case_file_unresolved_idx ON case_file (msisdn) WHERE resolved_at IS NULL`);
    await q.query(`CREATE INDEX case_file_list_idx ON case_file (opened_at DESC, case_id DESC)`);
    // SC-<yyyymmdd>-<n>: n counts the cases opened that day (China Standard Time).
    await q.query(`CREATE TABLE case_day_seq (day date PRIMARY KEY, last integer NOT NULL)`);
    await q.query(
      `CREATE TABLE case_tracker (id smallint PRIMARY KEY CHECK (id = 1), seen_until timestamptz NOT NULL)`,
    );
    await q.query(`INSERT INTO case_tracker (id, seen_until) VALUES (1, '-infinity')`);
    // Police verdicts from the registry's change feed (CLEARED starts a case's service-level clock).
    await q.query(`
      CREATE TABLE registry_verdict (
        msisdn varchar(16) NOT NULL,
        version bigint NOT NULL,
        status varchar(10) NOT NULL CHECK (status IN ('CLEARED', 'CONFIRMED')),
        changed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (msisdn, version)
      )`);
    await q.query(`CREATE INDEX registry_verdict_received_idx ON registry_verdict (received_at)`);
    await q.query(`CREATE INDEX carrier_decision_received_idx ON carrier_decision (received_at)`);
    // Directives change as they are delivered and acknowledged; the trigger stamps every change, whoever writes it.
    await q.query(`ALTER TABLE directive ADD COLUMN changed_at timestamptz NOT NULL DEFAULT now()`);
    await q.query(`CREATE INDEX directive_changed_idx ON directive (changed_at)`);
    await q.query(`
      CREATE FUNCTION directive_touch() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.changed_at := now();
        RETURN NEW;
      END $$`);
    await q.query(
      `CREATE TRIGGER directive_changed BEFORE UPDATE ON directive FOR EACH ROW EXECUTE FUNCTION directive_touch()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER directive_changed ON directive`);
    await q.query(`DROP FUNCTION directive_touch()`);
    await q.query(`ALTER TABLE directive DROP COLUMN changed_at`);
    await q.query(`DROP INDEX carrier_decision_received_idx`);
    await q.query(`DROP TABLE registry_verdict`);
    await q.query(`DROP TABLE case_tracker`);
    await q.query(`DROP TABLE case_day_seq`);
    await q.query(`DROP INDEX case_file_list_idx`);
    await q.query(`DROP INDEX case_file_unresolved_idx`);
    await q.query(`ALTER TABLE case_event DROP COLUMN source_key`);
  }
}
