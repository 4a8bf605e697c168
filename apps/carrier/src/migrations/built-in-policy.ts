import type { QueryRunner } from 'typeorm';
import { policyLabel, type PolicyDocument } from '@app/domain';

/**
 * Stores a new version of a built-in policy and makes it active where the
 * version it replaces still is: a policy an operator chose stays active.
 * Each migration that ships a built-in version calls it with that version's
 * frozen document (never the moving `DEFAULT_POLICY`).
 */
export async function storeBuiltInPolicy(
  q: QueryRunner,
  policy: PolicyDocument,
  replaces: PolicyDocument,
  reason: string,
): Promise<void> {
  await q.query(
    `INSERT INTO policy (name, version, document, created_by) VALUES ($1, $2, $3, 'built-in') ` +
      `ON CONFLICT (name, version) DO NOTHING`,
    [policy.name, policy.version, JSON.stringify(policy)],
  );
  await q.query(
    `INSERT INTO policy_assignment (mode, name, version, reason, changed_by)
       SELECT 'ACTIVE', $1, $2, '${reason.replace(/'/g, "''")}', 'built-in'
       WHERE (SELECT name || '@' || version FROM policy_assignment WHERE mode = 'ACTIVE' ` +
      `ORDER BY id DESC LIMIT 1) = $3`,
    [policy.name, policy.version, policyLabel(replaces)],
  );
}

/** Takes back storeBuiltInPolicy: its assignment, and the document unless something else uses it. */
export async function removeBuiltInPolicy(q: QueryRunner, policy: PolicyDocument): Promise<void> {
  await q.query(`DELETE FROM policy_assignment WHERE name = $1 AND version = $2 AND changed_by = 'built-in'`, [
    policy.name,
    policy.version,
  ]);
  await q.query(
    `DELETE FROM policy WHERE name = $1 AND version = $2 AND created_by = 'built-in' ` +
      `AND NOT EXISTS (SELECT 1 FROM policy_assignment WHERE name = $1 AND version = $2)`,
    [policy.name, policy.version],
  );
}
