import type { KeyObject } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, Optional, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ENV, type Env } from '@app/config';
import { controlCharacterField, ValidationError, ValidationErrorCode, type DomainError } from '@app/domain';
import { AUDIT_SINK, type AuditEntry, type AuditSink } from './audit';
import { PUBLIC_METADATA, ROLES_METADATA } from './auth.decorators';
import { AuthError } from './auth.errors';
import { authClockSkewSeconds, loadVerificationKey } from './keys';
import { attachPrincipal, metadataOf } from './principal';
import { RoleKind, type CarrierId } from './roles';
import { rpcActionOf } from './rpc-action';
import { TokenError, type Principal } from './token';
import { VerifiedTokens } from './verified-tokens';

/** Optional: the token verification key; by default loadVerificationKey(ENV) at boot. */
export const AUTH_VERIFICATION_KEY = Symbol('AUTH_VERIFICATION_KEY');

/**
 * Optional: the carrier a carrier service serves. Its handlers then refuse
 * `carrier:<ID>` tokens of other carriers (a carrier never reads another's data).
 */
export const AUTH_OWN_CARRIER = Symbol('AUTH_OWN_CARRIER');

/**
 * Optional: the province a service serves (an administration, a carrier's
 * provincial deployment). Its handlers then refuse `admin:<province>` tokens of
 * other provinces. The national registry has none and admits every province.
 */
export const AUTH_OWN_PROVINCE = Symbol('AUTH_OWN_PROVINCE');

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * Admits every gRPC call and HTTP request to a Nest handler (register as
 * APP_GUARD), in this order:
 * 1. exactly one `authorization: Bearer <token>`, valid (UNAUTHENTICATED);
 * 2. a role the handler admits: `@Roles(...)` lists the role kinds, `@Public()`
 *    opts out, a handler with neither needs a valid token of any role (deny by
 *    default) (PERMISSION_DENIED);
 * 3. the service's own carrier and province for scoped roles (PERMISSION_DENIED);
 * 4. no control character in any text field of the request (INVALID_ARGUMENT,
 *    naming the field): such bytes are never stored, logged or passed on.
 * Every refusal is written to the AUDIT_SINK, whatever bytes the request holds,
 * before the caller gets its status. Health and reflection are plain grpc-js
 * services, never reach Nest, and so need no token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);
  private readonly tokens: VerifiedTokens;

  constructor(
    private readonly reflector: Reflector,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Inject(ENV) env: Env,
    @Optional() @Inject(AUTH_VERIFICATION_KEY) verificationKey?: KeyObject,
    @Optional() @Inject(AUTH_OWN_CARRIER) private readonly ownCarrier?: CarrierId,
    @Optional() @Inject(AUTH_OWN_PROVINCE) private readonly ownProvince?: string,
  ) {
    this.tokens = new VerifiedTokens(
      verificationKey ?? loadVerificationKey(env),
      undefined,
      undefined,
      authClockSkewSeconds(env),
    );
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType();
    if (type !== 'rpc' && type !== 'http') return true;
    // gRPC calls carry the token in metadata, HTTP requests (the dashboard's API) in a header.
    const carrier = type === 'rpc' ? metadataOf(context) : context.switchToHttp().getRequest<HttpRequest>();
    const authorization =
      type === 'rpc'
        ? ((carrier as Metadata | undefined)?.get('authorization').map(String) ?? [])
        : headerValues(carrier as HttpRequest, 'authorization');
    const access = this.accessOf(context);
    if (access === 'public') {
      // A valid token on a public call still identifies the caller; a bad one is ignored.
      const principal = this.tryVerify(authorization);
      await this.admitText(context, principal);
      if (principal && carrier) attachPrincipal(carrier, principal);
      return true;
    }

    const allowed = access === 'authenticated' ? undefined : access;
    let principal: Principal;
    try {
      principal = this.tokens.verify(bearerToken(authorization));
    } catch (error) {
      const refusal =
        error instanceof AuthError
          ? error
          : error instanceof TokenError
            ? new AuthError('INVALID_TOKEN', `invalid token: ${error.message}`)
            : undefined;
      if (!refusal) throw error;
      return this.refuse(context, undefined, refusal);
    }
    if (allowed !== undefined && !allowed.includes(principal.kind)) {
      await this.refuse(
        context,
        principal,
        new AuthError('ROLE_NOT_ALLOWED', `role ${principal.role} may not call ${rpcActionOf(context)}`),
        { allowed },
      );
    }
    if (this.ownCarrier !== undefined && principal.kind === RoleKind.Carrier && principal.scope !== this.ownCarrier) {
      await this.refuse(
        context,
        principal,
        new AuthError('ROLE_NOT_ALLOWED', `role ${principal.role} may not call carrier ${this.ownCarrier}'s service`),
        {
          ownCarrier: this.ownCarrier,
        },
      );
    }
    if (this.ownProvince !== undefined && principal.kind === RoleKind.Admin && principal.scope !== this.ownProvince) {
      await this.refuse(
        context,
        principal,
        new AuthError('ROLE_NOT_ALLOWED', `role ${principal.role} may not act in province ${this.ownProvince}`),
        {
          ownProvince: this.ownProvince,
        },
      );
    }
    await this.admitText(context, principal);
    if (carrier) attachPrincipal(carrier, principal);
    return true;
  }

  /** Refuses a request holding a control character in any text field: path, query, body or message. */
  private async admitText(context: ExecutionContext, principal: Principal | undefined): Promise<void> {
    const field =
      context.getType() === 'http'
        ? controlCharacterField(httpFields(context.switchToHttp().getRequest<HttpRequest>()), 'as_sent')
        : controlCharacterField(context.switchToRpc().getData<unknown>());
    if (field !== undefined)
      await this.refuse(
        context,
        principal,
        new ValidationError(ValidationErrorCode.Malformed, field, 'must not contain control characters (such as NUL)'),
      );
  }

  /**
   * The handler's own marking wins over its controller's: @Public() or @Roles(...),
   * else the class's, else any valid token.
   */
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

  /** Audits the refusal (a lost line is at least loud), then throws it to the caller. */
  private async refuse(
    context: ExecutionContext,
    principal: Principal | undefined,
    refusal: DomainError,
    extra: Record<string, unknown> = {},
  ): Promise<never> {
    const request =
      context.getType() === 'http'
        ? httpFields(context.switchToHttp().getRequest<HttpRequest>())
        : context.switchToRpc().getData<unknown>();
    const entry: AuditEntry = {
      actor: principal?.subject ?? '',
      role: principal?.role ?? '',
      action: rpcActionOf(context),
      ...requestFields(request),
      outcome: refusal.kind,
      detail: { reason: refusal.message, code: (refusal as { code?: string }).code, ...extra },
    };
    try {
      await this.audit.record(entry);
    } catch (error) {
      this.logger.error(`audit of a refused call failed: ${(error as Error).message}`, JSON.stringify(entry));
    }
    throw refusal;
  }
}

/** The parts of an HTTP request the guard reads (Express's or any other). */
export interface HttpRequest {
  method?: string;
  url?: string;
  route?: { path?: string };
  headers: Record<string, string | string[] | undefined>;
  /** Every header line as received, duplicates included (Node keeps only the first `authorization` in `headers`). */
  rawHeaders?: string[];
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

/** Every value a header was sent with: a second `authorization` line must be seen to be refused. */
function headerValues(request: HttpRequest | undefined, name: string): string[] {
  if (request?.rawHeaders) {
    const values: string[] = [];
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2)
      if (request.rawHeaders[i].toLowerCase() === name) values.push(request.rawHeaders[i + 1]);
    return values;
  }
  const value = request?.headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** An HTTP request's number, purpose and case, wherever it carries them. */
function httpFields(request: HttpRequest): Record<string, unknown> {
  const body =
    typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
  return { ...body, ...(request.query ?? {}), ...(request.params ?? {}) };
}

function bearerToken(values: string[]): string {
  if (values.length === 0) throw new AuthError('MISSING_TOKEN', 'missing token: send "authorization: Bearer <token>"');
  if (values.length > 1) throw new AuthError('INVALID_TOKEN', 'invalid token: more than one authorization header');
  const match = BEARER.exec(String(values[0]));
  if (!match?.[1]) throw new AuthError('INVALID_TOKEN', 'invalid token: authorization must be "Bearer <token>"');
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
