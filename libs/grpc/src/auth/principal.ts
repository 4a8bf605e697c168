import type { Metadata } from '@grpc/grpc-js';
import type { ExecutionContext } from '@nestjs/common';
import { currentRequest } from '@app/observability';
import { AuthError } from './auth.errors';
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

/**
 * The caller the AuthGuard verified for this call
 * (gRPC handlers get metadata as 2nd argument; HTTP ones the request).
 */
export function principalOf(metadata: Metadata | object | undefined): Principal {
  const principal = metadata === undefined ? undefined : principals.get(metadata);
  if (!principal) throw new AuthError('MISSING_TOKEN', 'this call carries no verified token');
  return principal;
}

/** Same, for @Public() handlers where a token is optional. */
export function maybePrincipalOf(metadata: Metadata | object | undefined): Principal | undefined {
  return metadata === undefined ? undefined : principals.get(metadata);
}

/** The call's Metadata: 2nd handler argument, or the call's own for pass-through streams. */
export function metadataOf(context: ExecutionContext): Metadata | undefined {
  const candidate = context.switchToRpc().getContext<unknown>();
  if (isMetadata(candidate)) return candidate;
  for (const arg of context.getArgs<unknown[]>()) {
    if (typeof arg === 'object' && arg !== null && 'metadata' in arg && isMetadata(arg.metadata)) return arg.metadata;
  }
  return undefined;
}

/** Duck-typed: Nest may load its own copy of grpc-js (createRequire), so instanceof is unreliable. */
function isMetadata(value: unknown): value is Metadata {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Metadata).get === 'function' &&
    typeof (value as Metadata).getMap === 'function'
  );
}

/** The caller the AuthGuard verified for a gRPC call or an HTTP request, if any (public handlers may have none). */
export function callPrincipalOf(context: ExecutionContext): Principal | undefined {
  return maybePrincipalOf(
    context.getType() === 'http' ? context.switchToHttp().getRequest<object>() : metadataOf(context),
  );
}
