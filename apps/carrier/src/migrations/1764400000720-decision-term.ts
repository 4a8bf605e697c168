import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A RESTRICT or SUSPEND under a policy with terms carries its term: when it
 * steps down to WARN without new evidence, and how many renewals it has had
 * (`{"until": ms, "renewals": n}`, the domain's DecisionTerm). NULL: no term.
 * The latest decision of a number is what start-up rebuilds its term from.
 */
export class DecisionTerm1764400000720 implements MigrationInterface {
  name = 'DecisionTerm1764400000720';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision ADD COLUMN term jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE decision DROP COLUMN term`);
  }
}
