import type { MigrationInterface, QueryRunner } from 'typeorm';

const REACTIVATION_OUTCOMES = `'RESTORED', 'NOT_SUSPENDED', 'ID_NOT_VERIFIED', 'REFERRED_TO_POLICE', 'CONFIRMED_FRAUD'`;

/**
 * A number the registry lists as CONFIRMED (police-confirmed fraud) is restored
 * by no carrier path and keeps its declared profile; each such request is still
 * stored, with an outcome that says so, and a retry answers it again:
 * `reactivation.outcome` may now be CONFIRMED_FRAUD, a profile declaration and an
 * appeal get an outcome of their own (earlier rows: DECLARED, and UPHELD or
 * REJECTED as they were). The allowed values are spelled out as checks.
 */
export class ConfirmedFraudOutcomes1764400000500 implements MigrationInterface {
  name = 'ConfirmedFraudOutcomes1764400000500';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE reactivation ADD CONSTRAINT reactivation_outcome_check ` +
        `CHECK (outcome IN (${REACTIVATION_OUTCOMES}))`,
    );
    await q.query(
      `
      ALTER TABLE profile_declaration
        ADD COLUMN outcome varchar(16) NOT NULL DEFAULT 'DECLARED' ` +
        `CONSTRAINT profile_declaration_outcome_check CHECK (outcome IN ('DECLARED', 'CONFIRMED_FRAUD'))`,
    );
    await q.query(`ALTER TABLE appeal ADD COLUMN outcome varchar(16)`);
    await q.query(`UPDATE appeal SET outcome = CASE WHEN upheld THEN 'UPHELD' ELSE 'REJECTED' END`);
    await q.query(`ALTER TABLE appeal ALTER COLUMN outcome SET NOT NULL`);
    await q.query(`
      ALTER TABLE appeal ADD CONSTRAINT appeal_outcome_check
        CHECK (outcome IN ('UPHELD', 'REJECTED', 'CONFIRMED_FRAUD') AND (outcome = 'REJECTED') = NOT upheld)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE appeal DROP COLUMN outcome`);
    await q.query(`ALTER TABLE profile_declaration DROP COLUMN outcome`);
    await q.query(`ALTER TABLE reactivation DROP CONSTRAINT reactivation_outcome_check`);
  }
}
