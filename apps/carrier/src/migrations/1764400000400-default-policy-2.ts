import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_POLICY, DEFAULT_POLICY_V1 } from '@app/domain';

/**
 * Stores `default@2` (v1 with a daily new-contacts measure, which catches the
 * threshold probers v1 only warned) and makes it active where the built-in
 * `default@1` still is; a policy an operator chose stays active.
 */
export class DefaultPolicy21764400000400 implements MigrationInterface {
  name = 'DefaultPolicy21764400000400';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO policy (name, version, document, created_by) VALUES ($1, $2, $3, 'built-in') ` +
        `ON CONFLICT (name, version) DO NOTHING`,
      [DEFAULT_POLICY.name, DEFAULT_POLICY.version, JSON.stringify(DEFAULT_POLICY)],
    );
    await q.query(
      `INSERT INTO policy_assignment (mode, name, version, reason, changed_by)
       SELECT 'ACTIVE', $1, $2, 'built-in default@2: new contacts over a whole day (threshold probers)', 'built-in'
       WHERE (SELECT name || '@' || version FROM policy_assignment WHERE mode = 'ACTIVE' ` +
        `ORDER BY id DESC LIMIT 1) = $3`,
      [DEFAULT_POLICY.name, DEFAULT_POLICY.version, `${DEFAULT_POLICY_V1.name}@${DEFAULT_POLICY_V1.version}`],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM policy_assignment WHERE name = $1 AND version = $2 AND changed_by = 'built-in'`, [
      DEFAULT_POLICY.name,
      DEFAULT_POLICY.version,
    ]);
    await q.query(
      `DELETE FROM policy WHERE name = $1 AND version = $2 AND created_by = 'built-in' ` +
        `AND NOT EXISTS (SELECT 1 FROM policy_assignment WHERE name = $1 AND version = $2)`,
      [DEFAULT_POLICY.name, DEFAULT_POLICY.version],
    );
  }
}
