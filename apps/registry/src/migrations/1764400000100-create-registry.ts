import { SqlMigration } from '@app/persistence';

/**
 * The registry's tables. Every table but change_feed_head is keyed or indexed by
 * number first, so they shard by msisdn (DESIGN.md §6).
 *
 * change_feed_head is the version counter of the change feed: a transaction that
 * changes statuses takes its row lock last and holds it to commit, so versions
 * become visible in order and a reader following `version > last` sees no gap.
 */
export class CreateRegistry1764400000100 extends SqlMigration {
  name = 'CreateRegistry1764400000100';

  protected readonly upSql = [
    `
      CREATE TABLE number_status (
        msisdn varchar(16) PRIMARY KEY,
        status varchar(12) NOT NULL CHECK (status IN ('NOT_LISTED', 'SUSPECTED', 'CONFIRMED', 'CLEARED')),
        version bigint NOT NULL,
        cleared_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`,
    `
      CREATE TABLE status_change (
        version bigint PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        status varchar(12) NOT NULL,
        previous_status varchar(12) NOT NULL,
        cause varchar(16) NOT NULL CHECK (cause IN ('FLAG', 'VERIFICATION')),
        changed_at timestamptz NOT NULL
      )`,
    `CREATE INDEX status_change_msisdn_idx ON status_change (msisdn, version)`,
    `CREATE TABLE change_feed_head (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)`,
    `INSERT INTO change_feed_head (id, version) VALUES (1, 0)`,
    `
      CREATE TABLE flag (
        id bigserial PRIMARY KEY,
        source varchar(40) NOT NULL,
        idempotency_key varchar(128) NOT NULL,
        content_hash char(64) NOT NULL,
        msisdn varchar(16) NOT NULL,
        reason_codes text[] NOT NULL,
        score double precision NOT NULL,
        evidence jsonb NOT NULL,
        observed_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        result_status varchar(12) NOT NULL,
        result_version bigint NOT NULL,
        protected_by_clearance boolean NOT NULL,
        CONSTRAINT flag_idempotency_uq UNIQUE (source, idempotency_key)
      )`,
    `CREATE INDEX flag_msisdn_idx ON flag (msisdn, received_at, id)`,
    `
      CREATE TABLE verification (
        id bigserial PRIMARY KEY,
        idempotency_key varchar(128) NOT NULL,
        content_hash char(64) NOT NULL,
        msisdn varchar(16) NOT NULL,
        outcome varchar(12) NOT NULL CHECK (outcome IN ('CONFIRMED', 'CLEARED')),
        case_id varchar(64) NOT NULL,
        note text NOT NULL,
        verified_by varchar(128) NOT NULL,
        verified_at timestamptz NOT NULL,
        result_status varchar(12) NOT NULL,
        result_version bigint NOT NULL,
        CONSTRAINT verification_idempotency_uq UNIQUE (idempotency_key)
      )`,
    `CREATE INDEX verification_msisdn_idx ON verification (msisdn, verified_at, id)`,
  ];

  protected readonly downSql = [
    `DROP TABLE verification`,
    `DROP TABLE flag`,
    `DROP TABLE change_feed_head`,
    `DROP TABLE status_change`,
    `DROP TABLE number_status`,
  ];
}
