import { ErrorKind, errorCodes } from '@app/domain';
import { RoleKind, type Principal } from '@app/grpc';

/** A role acting or reading outside its scope (another carrier's figures, a carrier's stream without being one). */
export const ScopeError = errorCodes('ScopeError', { PERMISSION_DENIED: ErrorKind.PermissionDenied });

/** The carrier a `carrier:<ID>` token acts for: it feeds, streams and acknowledges in that name only. */
export function carrierOf(caller: Principal): string {
  if (caller.kind !== RoleKind.Carrier || !caller.scope)
    throw new ScopeError('PERMISSION_DENIED', `role ${caller.role} does not act for a carrier`);
  return caller.scope;
}
