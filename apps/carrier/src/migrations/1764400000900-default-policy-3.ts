import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_POLICY_V2, DEFAULT_POLICY_V3 } from '@app/domain';
import { removeBuiltInPolicy, storeBuiltInPolicy } from './built-in-policy';

/**
 * Stores `default@3` (least harm: reports corroborated by either side of the
 * call, stays weighed by what is done there, calls to strangers labelled from
 * WARN, people review long-held numbers, terms that lapse, an error budget per
 * rule) and makes it
 * active where the built-in `default@2` still is; a policy an operator chose
 * stays active.
 */
export class DefaultPolicy31764400000900 implements MigrationInterface {
  name = 'DefaultPolicy31764400000900';

  async up(q: QueryRunner): Promise<void> {
    await storeBuiltInPolicy(
      q,
      DEFAULT_POLICY_V3,
      DEFAULT_POLICY_V2,
      'built-in default@3: least harm (both sides, stays weighed, callees protected, reviews, terms, error budget)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await removeBuiltInPolicy(q, DEFAULT_POLICY_V3);
  }
}
