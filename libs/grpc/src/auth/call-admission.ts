import type { KeyObject } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import {
  controlCharacterField,
  ValidationError,
  ValidationErrorCode,
  type DomainError,
  type FeatureError,
  type FieldNaming,
} from '@app/domain';
import { CLIENT_LIMITS, ClientLimitError, clientLimits, type ClientLimits } from '../server/client-limit-settings';
import { AUDIT_SINK, markAudited, type AuditEntry, type AuditSink } from './audit';
import { AuthError } from './auth.errors';
import { authClockSkewSeconds, loadVerificationKey } from './keys';
import { RoleKind, type CarrierId } from './roles';
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

/** Who a handler admits: anyone (`@Public()`), any valid token (no marking), or these role kinds (`@Roles(...)`). */
export type Access = 'public' | 'authenticated' | readonly RoleKind[];

/** What the rules read of one gRPC call or HTTP request, whichever path it reached its handler by. */
export interface CallFacts {
  /** `fraud.carrier.v1.CarrierService/CheckCall`, or `HTTP GET /api/cases/:id`. */
  readonly action: string;
  readonly access: Access;
  /** Every `authorization` value the call carried: a second one is refused. */
  readonly authorization: readonly string[];
  /** The request (a decoded message, an HTTP request's fields): checked for control characters, read by the audit. */
  readonly request: unknown;
  /** How a field holding a control character is named: proto's snake_case (gRPC, the default) or as sent (HTTP). */
  readonly naming?: FieldNaming;
  /**
   * The first text field holding a control character, for a request that is not a
   * plain decoded message (a handler reading the wire bytes itself); by default
   * controlCharacterField(request, naming).
   */
  readonly controlField?: () => string | undefined;
}

/** The rules' answer: the caller (none for a public call without a valid token), or why the call is refused. */
export type Verdict =
  | { readonly principal: Principal | undefined; readonly refusal?: undefined }
  | {
      readonly principal: Principal | undefined;
      readonly refusal: DomainError;
      readonly extra: Readonly<Record<string, unknown>>;
    };

/** Unary calls and streams one client has in flight. */
interface ClientCalls {
  calls: number;
  streams: number;
}

/** Gives back the slot a call or stream held (idempotent). */
export type Release = () => void;

/**
 * The admission rules of every handler, written once: the AuthGuard applies them
 * to calls Nest routes, the plain gRPC handlers (server/plain-unary) to theirs,
 * and the ClientLimitsInterceptor and the plain handlers share one count of
 * calls in flight per client. In order:
 * 1. exactly one `authorization: Bearer <token>`, valid (UNAUTHENTICATED);
 * 2. a role the handler admits: `@Roles(...)` lists the role kinds, `@Public()`
 *    opts out, a handler with neither needs a valid token of any role (deny by
 *    default) (PERMISSION_DENIED);
 * 3. the service's own carrier and province for scoped roles (PERMISSION_DENIED);
 * 4. no control character in any text field of the request (INVALID_ARGUMENT,
 *    naming the field): such bytes are never stored, logged or passed on;
 * 5. (claim) at most `callsPerClient` unary calls and `streamsPerClient` streams
 *    per client at once (RESOURCE_EXHAUSTED).
 * Every refusal is written to the AUDIT_SINK, whatever bytes the request holds,
 * before the caller gets its status.
 */
@Injectable()
export class CallAdmission {
  readonly limits: ClientLimits;
  /** Seconds a token is still accepted past its expiry (and before its start). */
  readonly skewSeconds: number;
  private readonly logger = new Logger('CallAdmission');
  private readonly tokens: VerifiedTokens;
  /** Calls and streams in flight per client (`role\0subject`); one entry per client ever seen, never dropped. */
  private readonly clients = new Map<string, ClientCalls>();
  private readonly byPrincipal = new WeakMap<Principal, ClientCalls>();

  constructor(
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Inject(ENV) env: Env,
    @Optional() @Inject(AUTH_VERIFICATION_KEY) verificationKey?: KeyObject,
    @Optional() @Inject(AUTH_OWN_CARRIER) private readonly ownCarrier?: CarrierId,
    @Optional() @Inject(AUTH_OWN_PROVINCE) private readonly ownProvince?: string,
    @Optional() @Inject(CLIENT_LIMITS) limits?: ClientLimits,
  ) {
    this.skewSeconds = authClockSkewSeconds(env);
    this.tokens = new VerifiedTokens(
      verificationKey ?? loadVerificationKey(env),
      undefined,
      undefined,
      this.skewSeconds,
    );
    this.limits = limits ?? clientLimits(env);
  }

  /** Rules 1 to 4, without side effects: nothing is audited or thrown for the caller yet. */
  judge(facts: CallFacts): Verdict {
    if (facts.access === 'public') {
      // A valid token on a public call still identifies the caller; a bad one is ignored.
      return this.admitText(facts, this.tryVerify(facts.authorization));
    }
    let principal: Principal;
    try {
      principal = this.tokens.verifyBearer(bearerValue(facts.authorization));
    } catch (error) {
      if (error instanceof AuthError) return refused(undefined, error);
      if (error instanceof TokenError)
        return refused(undefined, new AuthError('INVALID_TOKEN', `invalid token: ${error.message}`));
      throw error;
    }
    const allowed = facts.access === 'authenticated' ? undefined : facts.access;
    if (allowed !== undefined && !allowed.includes(principal.kind))
      return refused(
        principal,
        new AuthError('ROLE_NOT_ALLOWED', `role ${principal.role} may not call ${facts.action}`),
        { allowed },
      );
    if (this.ownCarrier !== undefined && principal.kind === RoleKind.Carrier && principal.scope !== this.ownCarrier)
      return refused(
        principal,
        new AuthError('ROLE_NOT_ALLOWED', `role ${principal.role} may not call carrier ${this.ownCarrier}'s service`),
        { ownCarrier: this.ownCarrier },
      );
    if (this.ownProvince !== undefined && principal.kind === RoleKind.Admin && principal.scope !== this.ownProvince)
      return refused(
        principal,
        new AuthError('ROLE_NOT_ALLOWED', `role ${principal.role} may not act in province ${this.ownProvince}`),
        { ownProvince: this.ownProvince },
      );
    return this.admitText(facts, principal);
  }

  /** judge(), then a refusal audited and thrown; resolves with the caller otherwise. */
  async admit(facts: CallFacts): Promise<Principal | undefined> {
    const verdict = this.judge(facts);
    if (verdict.refusal) return this.refuse(facts, verdict);
    return verdict.principal;
  }

  /** Audits a refusal (a lost line is at least loud), then throws it to the caller. */
  async refuse(facts: CallFacts, verdict: Verdict & { refusal: DomainError }): Promise<never> {
    const { principal, refusal, extra } = verdict;
    await this.record({
      actor: principal?.subject ?? '',
      role: principal?.role ?? '',
      action: facts.action,
      ...requestFields(facts.request),
      outcome: refusal.kind,
      detail: { reason: refusal.message, code: (refusal as { code?: string }).code, ...extra },
    });
    throw refusal;
  }

  /**
   * Rule 5: takes one of the client's call (or stream) slots, or answers the
   * refusal (not yet audited: see refuseLimit). Calls without a principal (public ones) are not counted.
   */
  claim(principal: Principal, streaming: boolean): Release | FeatureError {
    const client = this.clientOf(principal);
    const open = streaming ? client.streams : client.calls;
    const limit = streaming ? this.limits.streamsPerClient : this.limits.callsPerClient;
    if (open >= limit)
      return streaming
        ? new ClientLimitError(
            'TOO_MANY_STREAMS',
            `${principal.role} (${principal.subject}) already has ${open} streams open, the most one client may hold`,
          )
        : new ClientLimitError(
            'TOO_MANY_CALLS',
            `${principal.role} (${principal.subject}) already has ${open} calls in flight, ` +
              'the most one client may have',
          );
    let released = false;
    if (streaming) {
      client.streams++;
      return () => {
        if (released) return;
        released = true;
        client.streams--;
      };
    }
    client.calls++;
    return () => {
      if (released) return;
      released = true;
      client.calls--;
    };
  }

  /**
   * The count of one client (role and subject), found by its principal object:
   * VerifiedTokens hands the same object out for the same token, so a call
   * looks it up by identity, not by a key string made and hashed per call.
   */
  private clientOf(principal: Principal): ClientCalls {
    let client = this.byPrincipal.get(principal);
    if (client) return client;
    const key = `${principal.role}\u0000${principal.subject}`;
    client = this.clients.get(key);
    if (!client) this.clients.set(key, (client = { calls: 0, streams: 0 }));
    this.byPrincipal.set(principal, client);
    return client;
  }

  /**
   * Audits a refusal of an admitted caller (a limit, a stream that outlived its
   * token) and marks it, so the audit of @Audited calls does not write it twice.
   */
  async refuseLimit(action: string, principal: Principal, refusal: FeatureError): Promise<void> {
    markAudited(refusal);
    await this.record({
      actor: principal.subject,
      role: principal.role,
      action,
      outcome: refusal.kind,
      detail: { reason: refusal.message, code: refusal.code },
    });
  }

  private async record(entry: AuditEntry): Promise<void> {
    try {
      await this.audit.record(entry);
    } catch (error) {
      this.logger.error(`audit of a refused call failed: ${(error as Error).message}`, JSON.stringify(entry));
    }
  }

  /** Rule 4: refuses a request holding a control character in any text field. */
  private admitText(facts: CallFacts, principal: Principal | undefined): Verdict {
    const field = facts.controlField
      ? facts.controlField()
      : controlCharacterField(facts.request, facts.naming ?? 'snake_case');
    if (field === undefined) return { principal };
    return refused(
      principal,
      new ValidationError(ValidationErrorCode.Malformed, field, 'must not contain control characters (such as NUL)'),
    );
  }

  private tryVerify(authorization: readonly string[]): Principal | undefined {
    if (authorization.length === 0) return undefined;
    try {
      return this.tokens.verifyBearer(bearerValue(authorization));
    } catch {
      return undefined;
    }
  }
}

function refused(
  principal: Principal | undefined,
  refusal: DomainError,
  extra: Record<string, unknown> = {},
): Verdict & { refusal: DomainError } {
  return { principal, refusal, extra };
}

/** The one `authorization` value a call carries (VerifiedTokens.verifyBearer reads its token). */
function bearerValue(values: readonly string[]): string {
  if (values.length === 0) throw new AuthError('MISSING_TOKEN', 'missing token: send "authorization: Bearer <token>"');
  if (values.length > 1) throw new AuthError('INVALID_TOKEN', 'invalid token: more than one authorization header');
  return String(values[0]);
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
