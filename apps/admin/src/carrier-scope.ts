import { DomainError, ErrorKind } from '@app/domain';
import { RoleKind, type Principal } from '@app/grpc';

export class CarrierScopeError extends DomainError {
  readonly kind = ErrorKind.PermissionDenied;

  constructor(message: string) {
    super(message);
  }
}

/** The carrier a `carrier:<ID>` token acts for: it feeds, streams and acknowledges in that name only. */
export function carrierOf(caller: Principal): string {
  if (caller.kind !== RoleKind.Carrier || !caller.scope) throw new CarrierScopeError(`role ${caller.role} does not act for a carrier`);
  return caller.scope;
}
