import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An outbox message the destination refused for good (invalid, or its key reused
 * with other content) is set aside with `failed_at`, so it never blocks the ones
 * behind it; the pending index leaves it out, a small one finds the failed.
 */
export class OutboxFailedAt1764400000310 implements MigrationInterface {
  name = 'OutboxFailedAt1764400000310';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox ADD COLUMN failed_at timestamptz`);
    await q.query(`DROP INDEX outbox_pending_idx`);
    await q.query(
      `CREATE INDEX outbox_pending_idx ON outbox (destination, id) WHERE delivered_at IS NULL AND failed_at IS NULL`,
    );
    await q.query(`CREATE INDEX outbox_failed_idx ON outbox (destination, id) WHERE failed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_failed_idx`);
    await q.query(`DROP INDEX outbox_pending_idx`);
    await q.query(`CREATE INDEX outbox_pending_idx ON outbox (destination, id) WHERE delivered_at IS NULL`);
    await q.query(`ALTER TABLE outbox DROP COLUMN failed_at`);
  }
}
