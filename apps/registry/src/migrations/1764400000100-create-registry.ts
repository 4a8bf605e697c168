import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The registry's tables. Every table but change_feed_head is keyed or indexed by
 * number first, so they shard by msisdn (DESIGN.md §6).
 *
 * change_feed_head is the version counter of the change feed: a transaction that
 * changes statuses takes its row lock last and holds it to commit, so versions
 * become visible in order and a reader following `version > last` sees no gap.
 */
export class CreateRegistry1764400000100 implements MigrationInterface {
  name = 'CreateRegistry1764400000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE number_status (
        msisdn varchar(16) PRIMARY KEY,
        status varchar(12) NOT NULL CHECK (status IN ('NOT_LISTED', 'SUSPECTED', 'CONFIRMED', 'CLEARED')),
        version bigint NOT NULL,
        cleared_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE status_change (
        version bigint PRIMARY KEY,
        msisdn varchar(16) NOT NULL,
        status varchar(12) NOT NULL,
        previous_status varchar(12) NOT NULL,
        cause varchar(16) NOT NULL CHECK (cause IN ('FLAG', 'VERIFICATION')),
        changed_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX status_change_msisdn_idx ON status_change (msisdn, version)`);
    await q.query(`CREATE TABLE change_feed_head (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)`);
    await q.query(`INSERT INTO change_feed_head (id, version) VALUES (1, 0)`);
    await q.query(`
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
      )`);
    await q.query(`CREATE INDEX flag_msisdn_idx ON flag (msisdn, received_at, id)`);
    await q.query(`
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
      )`);
    await q.query(`CREATE INDEX verification_msisdn_idx ON verification (msisdn, verified_at, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE verification`);
    await q.query(`DROP TABLE flag`);
    await q.query(`DROP TABLE change_feed_head`);
    await q.query(`DROP TABLE status_change`);
    await q.query(`DROP TABLE number_status`);
  }
}
