import { RoleKind, type Principal } from '@app/grpc';
import { ScopeError } from '../carrier-scope';
import { validateCarrier } from '../ownership/ownership.service';

/** Whose figures a caller may read. */
export interface OversightScope {
  /** One carrier's figures, or null for all. */
  carrier: string | null;
  /** Whether the answer may say what other carriers flagged (numbers flagged by more than one carrier). */
  crossCarrier: boolean;
}

/**
 * The administration and analysts read every carrier's figures (the AuthGuard
 * admits only this province's administration); a carrier reads only its own
 * (its token's carrier is the default), and never which numbers other carriers flagged.
 */
export function oversightScope(caller: Principal, requested: string | undefined, field: string): OversightScope {
  const carrier = requested ? validateCarrier(requested, field) : null;
  if (caller.kind !== RoleKind.Carrier) return { carrier, crossCarrier: true };
  const own = caller.scope;
  if (own === undefined || (carrier !== null && carrier !== own))
    throw new ScopeError(
      'PERMISSION_DENIED',
      `role ${caller.role} may not read carrier ${carrier ?? 'every carrier'}'s figures`,
    );
  return { carrier: own, crossCarrier: false };
}
