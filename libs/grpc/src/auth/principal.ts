import type { Metadata } from '@grpc/grpc-js';
import { currentRequest } from '@app/observability';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { Principal } from './token';

/**
 * Keyed by the call's Metadata object (gRPC) or the request object (HTTP), which
 * Nest hands to the guard and to the handler alike.
 */
const principals = new WeakMap<object, Principal>();

export function attachPrincipal(carrier: object, principal: Principal): void {
  principals.set(carrier, principal);
  // The call's log lines name the caller's role (never the token).
  const request = currentRequest();
  if (request) request.role = principal.role;
}

/** The caller the AuthGuard verified for this call (gRPC handlers get metadata as 2nd argument; HTTP ones the request). */
export function principalOf(metadata: Metadata | object | undefined): Principal {
  const principal = metadata === undefined ? undefined : principals.get(metadata);
  if (!principal) throw new AuthError(AuthErrorCode.MissingToken, 'this call carries no verified token');
  return principal;
}

/** Same, for @Public() handlers where a token is optional. */
export function maybePrincipalOf(metadata: Metadata | object | undefined): Principal | undefined {
  return metadata === undefined ? undefined : principals.get(metadata);
}
