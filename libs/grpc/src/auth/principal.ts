import type { Metadata } from '@grpc/grpc-js';
import { AuthError, AuthErrorCode } from './auth.errors';
import type { Principal } from './token';

/** Keyed by the call's Metadata object, which Nest hands to the guard and to the handler alike. */
const principals = new WeakMap<Metadata, Principal>();

export function attachPrincipal(metadata: Metadata, principal: Principal): void {
  principals.set(metadata, principal);
}

/** The caller the AuthGuard verified for this call (handlers get metadata as 2nd argument). */
export function principalOf(metadata: Metadata | undefined): Principal {
  const principal = metadata === undefined ? undefined : principals.get(metadata);
  if (!principal) throw new AuthError(AuthErrorCode.MissingToken, 'this call carries no verified token');
  return principal;
}

/** Same, for @Public() handlers where a token is optional. */
export function maybePrincipalOf(metadata: Metadata | undefined): Principal | undefined {
  return metadata === undefined ? undefined : principals.get(metadata);
}
