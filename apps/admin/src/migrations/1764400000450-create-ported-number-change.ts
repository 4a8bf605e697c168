import { SqlMigration } from '@app/persistence';

/**
 * Every SetPortedNumber call, by its key. ported_number keeps only a number's
 * latest owner, so a late retry of an older port must find its own row here and
 * be answered as a replay instead of porting the number back.
 */
export class CreatePortedNumberChange1764400000450 extends SqlMigration {
  name = 'CreatePortedNumberChange1764400000450';

  protected readonly upSql = [
    `
      CREATE TABLE ported_number_change (
        idempotency_key varchar(128) PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        carrier varchar(4) NOT NULL,
        set_by varchar(128) NOT NULL,
        set_at timestamptz NOT NULL
      )`,
    `CREATE INDEX ported_number_change_msisdn_idx ON ported_number_change (msisdn, set_at)`,
    // ported_number.idempotency_key is now the key of the latest change only: a later change of the same number
    // replaces it.
    `ALTER TABLE ported_number DROP CONSTRAINT ported_number_idempotency_key_key`,
  ];

  protected readonly downSql = [
    `ALTER TABLE ported_number ADD CONSTRAINT ported_number_idempotency_key_key UNIQUE (idempotency_key)`,
    `DROP TABLE ported_number_change`,
  ];
}
