import { createHash } from 'node:crypto';
import { canonicalJson } from '@app/domain';

export const GENESIS_HASH = '0'.repeat(64);

/** What an audit line says; its hash covers all of it and the previous line's hash. */
export interface AuditRecord {
  at: Date;
  actor: string;
  role: string;
  action: string;
  target: string | null;
  purpose: string | null;
  caseId: string | null;
  outcome: string;
  detail: Record<string, unknown>;
}

export function chainHash(prevHash: string, record: AuditRecord): string {
  const { at, actor, role, action, target, purpose, caseId, outcome, detail } = record;
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(canonicalJson({ at: at.toISOString(), actor, role, action, target, purpose, caseId, outcome, detail }))
    .digest('hex');
}

const NATIONAL = /^1[3-9]\d{9}$/;

/**
 * A stored line as its hash covers it: the typed target of a line written
 * before targets were normalised (`hashedTarget`), which may differ from the
 * stored E.164 target only by `+86`. Undefined when it differs otherwise.
 */
export function asHashed<R extends AuditRecord & { hashedTarget: string | null }>(row: R): AuditRecord | undefined {
  if (row.hashedTarget === null) return row;
  if (!NATIONAL.test(row.hashedTarget) || row.target !== `+86${row.hashedTarget}`) return undefined;
  return { ...row, target: row.hashedTarget };
}
