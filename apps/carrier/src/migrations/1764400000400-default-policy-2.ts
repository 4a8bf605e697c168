import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_POLICY_V1, DEFAULT_POLICY_V2 } from '@app/domain';
import { removeBuiltInPolicy, storeBuiltInPolicy } from './built-in-policy';

/**
 * Stores `default@2` (v1 with a daily new-contacts measure, which catches the
 * threshold probers v1 only warned) and makes it active where the built-in
 * `default@1` still is; a policy an operator chose stays active.
 */
export class DefaultPolicy21764400000400 implements MigrationInterface {
  name = 'DefaultPolicy21764400000400';

  async up(q: QueryRunner): Promise<void> {
    await storeBuiltInPolicy(
      q,
      DEFAULT_POLICY_V2,
      DEFAULT_POLICY_V1,
      'built-in default@2: new contacts over a whole day (threshold probers)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await removeBuiltInPolicy(q, DEFAULT_POLICY_V2);
  }
}
