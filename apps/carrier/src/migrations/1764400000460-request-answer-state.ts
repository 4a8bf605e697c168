import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Re-activations and appeals keep the step they left the number on, which their
 * first answer gave: a retry, on this replica or another, answers the same.
 * Rows from before have none; their retries answer the step now.
 */
export class RequestAnswerState1764400000460 implements MigrationInterface {
  name = 'RequestAnswerState1764400000460';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reactivation ADD COLUMN state varchar(10)`);
    await q.query(`ALTER TABLE appeal ADD COLUMN state varchar(10)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE appeal DROP COLUMN state`);
    await q.query(`ALTER TABLE reactivation DROP COLUMN state`);
  }
}
