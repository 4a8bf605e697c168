import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The carriers' daily callee warnings (policy.calleeProtection: SMS to their
 * subscribers who answered a call from a warned number), per day and policy,
 * as each carrier counted them: a later count replaces the earlier one, as
 * daily_count's do.
 */
export class CalleeWarningCount1764400000820 implements MigrationInterface {
  name = 'CalleeWarningCount1764400000820';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE callee_warning_count (
        carrier varchar(4) NOT NULL,
        day date NOT NULL,
        policy varchar(64) NOT NULL,
        count bigint NOT NULL,
        PRIMARY KEY (carrier, day, policy)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE callee_warning_count`);
  }
}
