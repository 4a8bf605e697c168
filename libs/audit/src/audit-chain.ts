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
