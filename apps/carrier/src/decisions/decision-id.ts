import { createHash } from 'node:crypto';
import type { CalleeWarning, Decision } from '@app/domain';

/**
 * A decision's id, derived from what it is: replaying the same events (after a
 * restart, or a retried stream) yields the same ids, so nothing is stored twice.
 */
export function decisionId(decision: Decision): string {
  return createHash('sha256')
    .update(
      `${decision.policy}|${decision.shadow ? 'shadow' : 'active'}|${decision.msisdn}|` +
        `${decision.at}|${decision.action}|${decision.previous}`,
    )
    .digest('hex')
    .slice(0, 32);
}

/** A callee warning's id, derived the same way: a replayed batch warns nobody twice. */
export function calleeWarningId(warning: CalleeWarning): string {
  return createHash('sha256')
    .update(`callee-warning|${warning.policy}|${warning.callee}|${warning.caller}|${warning.at}`)
    .digest('hex')
    .slice(0, 32);
}
