import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_POLICY_V3, DEFAULT_POLICY_V4 } from '@app/domain';
import { removeBuiltInPolicy, storeBuiltInPolicy } from './built-in-policy';

/**
 * Stores `default@4` (default@3 that labels before it restricts: the analysis's evidence puts a number at WARN
 * first and restricts it from its next call to a stranger, which call setup labels) and makes it active where the
 * built-in `default@3` still is; a policy an operator chose stays active.
 */
export class DefaultPolicy41764400000950 implements MigrationInterface {
  name = 'DefaultPolicy41764400000950';

  async up(q: QueryRunner): Promise<void> {
    await storeBuiltInPolicy(
      q,
      DEFAULT_POLICY_V4,
      DEFAULT_POLICY_V3,
      "built-in default@4: labels a number's calls to strangers before the analysis restricts it",
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await removeBuiltInPolicy(q, DEFAULT_POLICY_V4);
  }
}
