import { status as GrpcCode, type Metadata } from '@grpc/grpc-js';
import { Inject, Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import { AUDIT_SINK, callerStatusOf, maybePrincipalOf, rpcActionOf, wasAudited, type AuditSink } from '@app/grpc';
import { AUDITED, type AuditSubject } from './audited.decorator';

/**
 * Writes calls of @Audited handlers to the audit log once they finish, with the
 * caller, the outcome (OK or the gRPC status name) and what the handler's
 * `describe` reads from the request. The answer leaves only after its line is
 * durable: a read that cannot be audited is not served. Calls refused by the
 * AuthGuard never get here, and those the client limits refuse are marked: both
 * audit their refusals themselves.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const describe = this.reflector.get<((request: unknown) => AuditSubject) | undefined>(
      AUDITED,
      context.getHandler(),
    );
    const type = context.getType();
    if ((type !== 'rpc' && type !== 'http') || !describe) return next.handle();
    let principal;
    let request: unknown;
    if (type === 'rpc') {
      principal = maybePrincipalOf(context.switchToRpc().getContext<Metadata>());
      request = context.switchToRpc().getData();
    } else {
      // The dashboard's API: what describe reads may sit in the path, the query or the body.
      const http = context.switchToHttp().getRequest<{ body?: unknown; query?: object; params?: object }>();
      principal = maybePrincipalOf(http);
      request = {
        ...(typeof http.body === 'object' && http.body !== null ? http.body : {}),
        ...http.query,
        ...http.params,
      };
    }
    const subject = describe(request);
    const write = (outcome: string) =>
      this.audit.record({
        actor: principal?.subject ?? '',
        role: principal?.role ?? '',
        action: rpcActionOf(context),
        target: subject.target || undefined,
        purpose: subject.purpose || undefined,
        caseId: subject.caseId || undefined,
        outcome,
        detail: subject.detail,
      });
    return next.handle().pipe(
      // Served, and audited, by the process the call was passed to (a carrier's owner shard).
      mergeMap((answer) => (wasAudited(answer) ? of(answer) : from(write('OK').then(() => answer)))),
      catchError((error: unknown) => {
        // Refused by the client limits, which audited it already, or audited where it was passed to.
        if (wasAudited(error)) return throwError(() => error);
        const code = callerStatusOf(error)?.code ?? GrpcCode.INTERNAL;
        return from(write(GrpcCode[code])).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
