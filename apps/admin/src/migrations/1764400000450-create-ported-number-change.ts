import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every SetPortedNumber call, by its key. ported_number keeps only a number's
 * latest owner, so a late retry of an older port must find its own row here and
 * be answered as a replay instead of porting the number back.
 */
export class CreatePortedNumberChange1764400000450 implements MigrationInterface {
  name = 'CreatePortedNumberChange1764400000450';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE ported_number_change (
        idempotency_key varchar(128) PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        carrier varchar(4) NOT NULL,
        set_by varchar(128) NOT NULL,
        set_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX ported_number_change_msisdn_idx ON ported_number_change (msisdn, set_at)`);
    // ported_number.idempotency_key is now the key of the latest change only: a later change of the same number replaces it.
    await q.query(`ALTER TABLE ported_number DROP CONSTRAINT ported_number_idempotency_key_key`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE ported_number ADD CONSTRAINT ported_number_idempotency_key_key UNIQUE (idempotency_key)`,
    );
    await q.query(`DROP TABLE ported_number_change`);
  }
}
