import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine's evidence survives restarts: a journal of every input that changed
 * it (an accepted batch of events, an order, a registry change, a policy switch),
 * one row per input, written in the transaction of the decisions it led to, and
 * snapshots of its whole state, each covering the journal up to its `seq`. At
 * start the newest snapshot is loaded and the journal after it replayed.
 *
 * Each running engine owns one lineage (a PostgreSQL advisory lock held while it
 * runs): a restarted process takes lineage 0 back, a second replica on the same
 * database gets lineage 1, and so on, so two engines never write one journal.
 */
export class EngineEvidence1764400001000 implements MigrationInterface {
  name = 'EngineEvidence1764400001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE engine_journal (
        lineage smallint NOT NULL,
        seq bigint NOT NULL,
        entry bytea NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (lineage, seq)
      )`);
    await q.query(`
      CREATE TABLE engine_snapshot (
        id bigserial PRIMARY KEY,
        lineage smallint NOT NULL,
        seq bigint NOT NULL,
        parts integer NOT NULL,
        bytes bigint NOT NULL,
        taken_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX engine_snapshot_lineage_idx ON engine_snapshot (lineage, seq DESC)`);
    await q.query(`
      CREATE TABLE engine_snapshot_part (
        snapshot_id bigint NOT NULL REFERENCES engine_snapshot (id) ON DELETE CASCADE,
        part integer NOT NULL,
        body bytea NOT NULL,
        PRIMARY KEY (snapshot_id, part)
      )`);
    // Large images are written once and read once: no compression pass on the way in.
    await q.query(`ALTER TABLE engine_snapshot_part ALTER COLUMN body SET STORAGE EXTERNAL`);
    await q.query(`ALTER TABLE engine_journal ALTER COLUMN entry SET STORAGE EXTERNAL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE engine_snapshot_part`);
    await q.query(`DROP TABLE engine_snapshot`);
    await q.query(`DROP TABLE engine_journal`);
  }
}
