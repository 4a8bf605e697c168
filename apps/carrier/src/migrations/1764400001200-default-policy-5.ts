import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_POLICY_V4, DEFAULT_POLICY_V5 } from '@app/domain';
import { removeBuiltInPolicy, storeBuiltInPolicy } from './built-in-policy';

/**
 * Stores `default@5` (default@4 that also weighs calls to strangers nobody returns, UNRETURNED_CALLS) and makes it
 * active where the built-in `default@4` still is; a policy an operator chose stays active.
 */
export class DefaultPolicy51764400001200 implements MigrationInterface {
  name = 'DefaultPolicy51764400001200';

  async up(q: QueryRunner): Promise<void> {
    await storeBuiltInPolicy(
      q,
      DEFAULT_POLICY_V5,
      DEFAULT_POLICY_V4,
      'built-in default@5: also weighs calls to strangers nobody returns (UNRETURNED_CALLS)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await removeBuiltInPolicy(q, DEFAULT_POLICY_V5);
  }
}
