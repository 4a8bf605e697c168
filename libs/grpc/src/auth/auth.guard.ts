import type { KeyObject } from 'node:crypto';
import { status as GrpcCode, type Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUDIT_SINK, type AuditEntry, type AuditSink } from './audit';
import { PUBLIC_METADATA, ROLES_METADATA } from './auth.decorators';
import { AuthError, AuthErrorCode } from './auth.errors';
import { loadVerificationKey } from './keys';
import { attachPrincipal } from './principal';
import { RoleKind, type CarrierId } from './roles';
import { rpcActionOf } from './rpc-action';
import { TokenError, type Principal } from './token';
import { VerifiedTokens } from './verified-tokens';

/** Optional: the token verification key; by default loadVerificationKey(process.env) at boot. */
export const AUTH_VERIFICATION_KEY = Symbol('AUTH_VERIFICATION_KEY');

/**
 * Optional: the carrier a carrier service serves. Its handlers then refuse
 * `carrier:<ID>` tokens of other carriers (a carrier never reads another's data).
 */
export const AUTH_OWN_CARRIER = Symbol('AUTH_OWN_CARRIER');

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Authenticates every gRPC call to a Nest handler and checks its role
 * (register as APP_GUARD). `@Roles(...)` lists the admitted role kinds;
 * `@Public()` opts out; a handler with neither still needs a valid token of any
 * role (deny by default). Refusals are written to the AUDIT_SINK before the
 * caller gets UNAUTHENTICATED or PERMISSION_DENIED. Health and reflection are
 * plain grpc-js services, never reach Nest, and so need no token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  private readonly tokens: VerifiedTokens;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Optional() @Inject(AUTH_VERIFICATION_KEY) verificationKey?: KeyObject,
    @Optional() @Inject(AUTH_OWN_CARRIER) private readonly ownCarrier?: CarrierId,
  ) {
    this.tokens = new VerifiedTokens(verificationKey ?? loadVerificationKey(process.env));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType();
    if (type !== 'rpc' && type !== 'http') return true;
    // gRPC calls carry the token in metadata, HTTP requests (the dashboard's API) in a header.
    const carrier = type === 'rpc' ? metadataOf(context) : context.switchToHttp().getRequest<HttpRequest>();
    const authorization = type === 'rpc' ? (carrier as Metadata | undefined)?.get('authorization').map(String) ?? [] : headerValues(carrier as HttpRequest);
    const access = this.accessOf(context);
    if (access === 'public') {
      // A valid token on a public call still identifies the caller; a bad one is ignored.
      const principal = this.tryVerify(authorization);
      if (principal && carrier) attachPrincipal(carrier, principal);
      return true;
    }

    const allowed = access === 'authenticated' ? undefined : access;
    let principal: Principal;
    try {
      principal = this.tokens.verify(bearerToken(authorization));
    } catch (error) {
      const refusal =
        error instanceof AuthError ? error : error instanceof TokenError ? new AuthError(AuthErrorCode.InvalidToken, `invalid token: ${error.message}`) : undefined;
      if (!refusal) throw error;
      await this.report(context, { actor: '', role: '' }, GrpcCode.UNAUTHENTICATED, refusal);
      throw refusal;
    }
    if (allowed !== undefined && !allowed.includes(principal.kind)) {
      const refusal = new AuthError(AuthErrorCode.RoleNotAllowed, `role ${principal.role} may not call ${rpcActionOf(context)}`);
      await this.report(context, { actor: principal.subject, role: principal.role }, GrpcCode.PERMISSION_DENIED, refusal, { allowed });
      throw refusal;
    }
    if (this.ownCarrier !== undefined && principal.kind === RoleKind.Carrier && principal.scope !== this.ownCarrier) {
      const refusal = new AuthError(AuthErrorCode.RoleNotAllowed, `role ${principal.role} may not call carrier ${this.ownCarrier}'s service`);
      await this.report(context, { actor: principal.subject, role: principal.role }, GrpcCode.PERMISSION_DENIED, refusal, { ownCarrier: this.ownCarrier });
      throw refusal;
    }
    if (carrier) attachPrincipal(carrier, principal);
    return true;
  }

  /** The handler's own marking wins over its controller's: @Public() or @Roles(...), else the class's, else any valid token. */
  private accessOf(context: ExecutionContext): 'public' | 'authenticated' | RoleKind[] {
    for (const target of [context.getHandler(), context.getClass()]) {
      if (this.reflector.get<boolean | undefined>(PUBLIC_METADATA, target) === true) return 'public';
      const roles = this.reflector.get<RoleKind[] | undefined>(ROLES_METADATA, target);
      if (roles !== undefined) return roles;
    }
    return 'authenticated';
  }

  private tryVerify(authorization: string[]): Principal | undefined {
    if (authorization.length === 0) return undefined;
    try {
      return this.tokens.verify(bearerToken(authorization));
    } catch {
      return undefined;
    }
  }

  private async report(
    context: ExecutionContext,
    who: Pick<AuditEntry, 'actor' | 'role'>,
    code: GrpcCode,
    refusal: AuthError,
    extra: Record<string, unknown> = {},
  ): Promise<void> {
    const request = context.getType() === 'http' ? httpFields(context.switchToHttp().getRequest<HttpRequest>()) : context.switchToRpc().getData<unknown>();
    const entry: AuditEntry = {
      ...who,
      action: rpcActionOf(context),
      ...requestFields(request),
      outcome: GrpcCode[code],
      detail: { reason: refusal.message, code: refusal.code, ...extra },
    };
    try {
      await this.audit.record(entry);
    } catch (error) {
      // The call is refused either way; a lost audit line must at least be loud.
      this.logger.error(`audit of a refused call failed: ${(error as Error).message}`, JSON.stringify(entry));
    }
  }
}

/** The call's Metadata: 2nd handler argument, or the call's own for pass-through streams. */
function metadataOf(context: ExecutionContext): Metadata | undefined {
  const candidate = context.switchToRpc().getContext<unknown>();
  if (isMetadata(candidate)) return candidate;
  for (const arg of context.getArgs<unknown[]>()) {
    if (typeof arg === 'object' && arg !== null && 'metadata' in arg && isMetadata(arg.metadata)) return arg.metadata;
  }
  return undefined;
}

/** Duck-typed: Nest may load its own copy of grpc-js (createRequire), so instanceof is unreliable. */
function isMetadata(value: unknown): value is Metadata {
  return typeof value === 'object' && value !== null && typeof (value as Metadata).get === 'function' && typeof (value as Metadata).getMap === 'function';
}

/** The parts of an HTTP request the guard reads (Express's or any other). */
export interface HttpRequest {
  method?: string;
  url?: string;
  route?: { path?: string };
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

function headerValues(request: HttpRequest | undefined): string[] {
  const value = request?.headers.authorization;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** An HTTP request's number, purpose and case, wherever it carries them. */
function httpFields(request: HttpRequest): Record<string, unknown> {
  const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
  return { ...body, ...(request.query ?? {}), ...(request.params ?? {}) };
}

function bearerToken(values: string[]): string {
  if (values.length === 0) throw new AuthError(AuthErrorCode.MissingToken, 'missing token: send "authorization: Bearer <token>"');
  if (values.length > 1) throw new AuthError(AuthErrorCode.InvalidToken, 'invalid token: more than one authorization header');
  const match = BEARER.exec(String(values[0]));
  if (!match?.[1]) throw new AuthError(AuthErrorCode.InvalidToken, 'invalid token: authorization must be "Bearer <token>"');
  return match[1];
}

/** What a refused request was about, when it says (msisdn, purpose, case id). */
function requestFields(request: unknown): Pick<AuditEntry, 'target' | 'purpose' | 'caseId'> {
  if (typeof request !== 'object' || request === null) return {};
  const { msisdn, purpose, caseId } = request as Record<string, unknown>;
  return {
    ...(typeof msisdn === 'string' && msisdn !== '' ? { target: msisdn } : {}),
    ...(typeof purpose === 'string' && purpose !== '' ? { purpose } : {}),
    ...(typeof caseId === 'string' && caseId !== '' ? { caseId } : {}),
  };
}
