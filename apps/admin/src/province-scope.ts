import { DomainError, ErrorKind } from '@app/domain';
import { RoleKind, type Principal } from '@app/grpc';

export class ProvinceScopeError extends DomainError {
  readonly kind = ErrorKind.PermissionDenied;

  constructor(message: string) {
    super(message);
  }
}

/**
 * The AuthGuard admits any `admin:<province>` token by its kind; this service
 * serves one province, so an administration token must be for that province.
 */
export function assertOwnProvince(caller: Principal, province: string): void {
  if (caller.kind === RoleKind.Admin && caller.scope !== province) {
    throw new ProvinceScopeError(`role ${caller.role} may not act for province ${province}`);
  }
}

/** The carrier a `carrier:<ID>` token acts for: it feeds, streams and acknowledges in that name only. */
export function carrierOf(caller: Principal): string {
  if (caller.kind !== RoleKind.Carrier || !caller.scope) throw new ProvinceScopeError(`role ${caller.role} does not act for a carrier`);
  return caller.scope;
}
