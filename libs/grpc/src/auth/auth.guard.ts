import type { Metadata } from '@grpc/grpc-js';
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { PUBLIC_METADATA, ROLES_METADATA } from './auth.decorators';
import { CallAdmission, type Access, type CallFacts } from './call-admission';
import { attachPrincipal, metadataOf } from './principal';
import type { RoleKind } from './roles';
import { rpcActionOf } from './rpc-action';

/**
 * Admits every gRPC call and HTTP request to a Nest handler (register as
 * APP_GUARD, beside CallAdmission): it reads the call's facts (its RPC, its
 * handler's `@Roles`/`@Public` marking, its authorization values, its request)
 * and applies CallAdmission's rules, the same the plain gRPC handlers apply
 * (token, role, own carrier and province, clean text; refusals audited).
 * Health and reflection are plain grpc-js services, never reach Nest, and so
 * need no token.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly admission: CallAdmission,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const type = context.getType();
    if (type !== 'rpc' && type !== 'http') return true;
    // gRPC calls carry the token in metadata, HTTP requests (the dashboard's API) in a header.
    const carrier = type === 'rpc' ? metadataOf(context) : context.switchToHttp().getRequest<HttpRequest>();
    const facts: CallFacts =
      type === 'rpc'
        ? {
            action: rpcActionOf(context),
            access: accessOf(this.reflector, context),
            authorization: (carrier as Metadata | undefined)?.get('authorization').map(String) ?? [],
            request: context.switchToRpc().getData<unknown>(),
          }
        : {
            action: rpcActionOf(context),
            access: accessOf(this.reflector, context),
            authorization: headerValues(carrier as HttpRequest, 'authorization'),
            request: httpFields(carrier as HttpRequest),
            naming: 'as_sent',
          };
    const verdict = this.admission.judge(facts);
    if (verdict.refusal) return this.admission.refuse(facts, verdict);
    if (verdict.principal && carrier) attachPrincipal(carrier, verdict.principal);
    return true;
  }
}

/**
 * The handler's own marking wins over its controller's: @Public() or @Roles(...),
 * else the class's, else any valid token.
 */
export function accessOf(reflector: Reflector, context: Pick<ExecutionContext, 'getHandler' | 'getClass'>): Access {
  for (const target of [context.getHandler(), context.getClass()]) {
    if (reflector.get<boolean | undefined>(PUBLIC_METADATA, target) === true) return 'public';
    const roles = reflector.get<RoleKind[] | undefined>(ROLES_METADATA, target);
    if (roles !== undefined) return roles;
  }
  return 'authenticated';
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
