import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A carrier run as N shards over NATS JetStream (docs/operations.md#shards): the log is the journal, so a shard keeps
 * only snapshots here, each with where it resumes in the log and in the shards' exchange; they go in engine_snapshot
 * with `shards` set (the shard's index in `lineage`), beside the single node's lineages (`shards` NULL).
 *
 * shard_entry: per log entry, each shard's row, written in the transaction of that shard's outcome of the entry. The
 * process that published the entry answers once every shard's row is there, with the active decisions summed and,
 * for a command, each shard's result (the owner's, for a change of one number).
 *
 * number_step: each number's step as its shard last wrote it (with the entry that put it there) and, where call setup
 * reads them, its contacts, so that every shard answers call setup for every number from memory: each follows the
 * others' rows (StepReplica).
 */
export class CarrierShards1764400001100 implements MigrationInterface {
  name = 'CarrierShards1764400001100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE engine_snapshot ADD COLUMN shards smallint, ADD COLUMN exchange bigint[]`);
    await q.query(`CREATE INDEX engine_snapshot_shard_idx ON engine_snapshot (shards, lineage, seq DESC)`);
    await q.query(`
      CREATE TABLE shard_entry (
        seq bigint NOT NULL,
        shard smallint NOT NULL,
        decisions integer NOT NULL,
        outcome jsonb NOT NULL,
        written_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (seq, shard)
      )`);
    await q.query(`
      CREATE TABLE number_step (
        msisdn text PRIMARY KEY,
        shard smallint NOT NULL,
        seq bigint NOT NULL,
        level text NOT NULL,
        since_ms bigint NOT NULL,
        term_ends_ms bigint,
        contacts jsonb
      )`);
    await q.query(`CREATE INDEX number_step_shard_seq_idx ON number_step (shard, seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE number_step`);
    await q.query(`DROP TABLE shard_entry`);
    await q.query(`DROP INDEX engine_snapshot_shard_idx`);
    await q.query(`ALTER TABLE engine_snapshot DROP COLUMN exchange, DROP COLUMN shards`);
  }
}
