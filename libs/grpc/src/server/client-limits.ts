import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Observable } from 'rxjs';
import { ENV, envInt, type Env } from '@app/config';
import { ErrorKind, errorCodes, type FeatureError } from '@app/domain';
import { AUDIT_SINK, type AuditSink } from '../auth/audit';
import { AuthError } from '../auth/auth.errors';
import { callPrincipalOf } from '../auth/principal';
import { rpcActionOf } from '../auth/rpc-action';
import { authClockSkewSeconds } from '../auth/keys';
import type { Principal } from '../auth/token';
import { methodShape } from './proto';

/**
 * What one client (one token subject in one role) may hold at once,
 * and how far a stream may run ahead of its reader.
 */
export interface ClientLimits {
  /** Unary calls and HTTP requests in flight (`LIMIT_CALLS_PER_CLIENT`). */
  callsPerClient: number;
  /** Open streaming calls (`LIMIT_STREAMS_PER_CLIENT`). */
  streamsPerClient: number;
  /**
   * Answers a stream holds for a client that does not read, beyond the transport's own buffer
   * (`LIMIT_STREAM_BUFFER`).
   */
  streamBuffer: number;
}

/** Optional: the limits, instead of the LIMIT_* variables (tests). */
export const CLIENT_LIMITS = Symbol('CLIENT_LIMITS');

export const DEFAULT_CLIENT_LIMITS: ClientLimits = { callsPerClient: 256, streamsPerClient: 16, streamBuffer: 1000 };

export function clientLimits(env: Env): ClientLimits {
  return {
    callsPerClient: envInt(env, 'LIMIT_CALLS_PER_CLIENT', DEFAULT_CLIENT_LIMITS.callsPerClient, 1, 1_000_000),
    streamsPerClient: envInt(env, 'LIMIT_STREAMS_PER_CLIENT', DEFAULT_CLIENT_LIMITS.streamsPerClient, 1, 100_000),
    streamBuffer: envInt(env, 'LIMIT_STREAM_BUFFER', DEFAULT_CLIENT_LIMITS.streamBuffer, 1, 1_000_000),
  };
}

/** A client past its share: RESOURCE_EXHAUSTED; it may retry once its other calls are done. */
export const ClientLimitError = errorCodes('ClientLimitError', {
  TOO_MANY_CALLS: ErrorKind.ResourceExhausted,
  TOO_MANY_STREAMS: ErrorKind.ResourceExhausted,
  NOT_READING: ErrorKind.ResourceExhausted,
});

/** Set on an error that was audited where it was raised, so the audit interceptor does not write it twice. */
export const REFUSAL_AUDITED = Symbol.for('fraud.grpc.refusal-audited');

/** The part of a grpc-js server stream the bound needs (Node's Writable). */
interface ResponseStream {
  readonly writableNeedDrain: boolean;
  write(message: unknown): boolean;
  on(event: 'drain', listener: () => void): unknown;
  off(event: 'drain', listener: () => void): unknown;
}

/**
 * One client must not starve the others (register as APP_INTERCEPTOR), so per
 * token subject and role:
 * - at most `callsPerClient` unary calls and HTTP requests, and
 *   `streamsPerClient` streaming calls, at once: past them RESOURCE_EXHAUSTED;
 * - a stream's answers wait for a client that does not read in a queue of at
 *   most `streamBuffer`: past it the stream ends with RESOURCE_EXHAUSTED (a
 *   follower reconnects and resumes from where it stood);
 * - a stream ends with UNAUTHENTICATED when the token it was opened with
 *   expires (clock skew allowed, as for a new call): its client renews the token
 *   and opens it again.
 * Each refusal is audited. Public handlers (no principal) are not counted.
 */
@Injectable()
export class ClientLimitsInterceptor implements NestInterceptor {
  private readonly logger = new Logger('ClientLimits');
  private readonly limits: ClientLimits;
  private readonly skewSeconds: number;
  private readonly calls = new Map<string, number>();
  private readonly streams = new Map<string, number>();

  constructor(
    @Inject(AUDIT_SINK) private readonly audit: AuditSink,
    @Inject(ENV) env: Env,
    @Optional() @Inject(CLIENT_LIMITS) limits?: ClientLimits,
  ) {
    this.skewSeconds = authClockSkewSeconds(env);
    this.limits = limits ?? clientLimits(env);
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal =
      context.getType() === 'rpc' || context.getType() === 'http' ? callPrincipalOf(context) : undefined;
    if (!principal) return next.handle();
    // grpc-js hands even a unary handler a writable call: the method's definition says what streams.
    const shape = context.getType() === 'rpc' ? methodShape(rpcActionOf(context)) : undefined;
    const streaming = shape !== undefined && (shape.requestStream || shape.responseStream);
    const responses = shape?.responseStream ? responseStreamOf(context) : undefined;
    const key = `${principal.role}\u0000${principal.subject}`;
    const table = streaming ? this.streams : this.calls;
    const limit = streaming ? this.limits.streamsPerClient : this.limits.callsPerClient;
    const open = table.get(key) ?? 0;
    if (open >= limit) {
      const refusal = streaming
        ? new ClientLimitError(
            'TOO_MANY_STREAMS',
            `${principal.role} (${principal.subject}) already has ${open} streams open, the most one client may hold`,
          )
        : new ClientLimitError(
            'TOO_MANY_CALLS',
            `${principal.role} (${principal.subject}) already has ${open} calls in flight, ` +
              'the most one client may have',
          );
      return new Observable((subscriber) => {
        void this.refused(context, principal, refusal).then(() => subscriber.error(refusal));
      });
    }
    table.set(key, open + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const left = (table.get(key) ?? 1) - 1;
      if (left <= 0) table.delete(key);
      else table.set(key, left);
    };
    let answers: Observable<unknown>;
    try {
      answers = next.handle();
    } catch (error) {
      release();
      throw error;
    }
    if (streaming)
      answers = this.untilExpiry(
        context,
        principal,
        responses ? this.bounded(context, principal, answers, responses) : answers,
      );
    return new Observable((subscriber) => {
      const subscription = answers.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          release();
          subscriber.error(error);
        },
        complete: () => {
          release();
          subscriber.complete();
        },
      });
      return () => {
        release();
        subscription.unsubscribe();
      };
    });
  }

  /** Forwards answers while the client reads; queues at most `streamBuffer` while it does not. */
  private bounded(
    context: ExecutionContext,
    principal: Principal,
    answers: Observable<unknown>,
    stream: ResponseStream,
  ): Observable<unknown> {
    const max = this.limits.streamBuffer;
    return new Observable((subscriber) => {
      const queue: unknown[] = [];
      let ended: { error?: unknown } | undefined;
      let overflowed = false;
      const flush = (): void => {
        while (queue.length > 0 && !stream.writableNeedDrain) subscriber.next(queue.shift());
        if (queue.length === 0 && ended) {
          if ('error' in ended) subscriber.error(ended.error);
          else subscriber.complete();
        }
      };
      stream.on('drain', flush);
      const subscription = answers.subscribe({
        next: (value) => {
          if (overflowed) return;
          if (queue.length === 0 && !stream.writableNeedDrain) return subscriber.next(value);
          queue.push(value);
          if (queue.length <= max) return;
          overflowed = true;
          queue.length = 0;
          const refusal = new ClientLimitError(
            'NOT_READING',
            `the client has not read the last ${max} messages of this stream: open it again and resume`,
          );
          void this.refused(context, principal, refusal).then(() => subscriber.error(refusal));
        },
        error: (error: unknown) => {
          ended = { error };
          if (!overflowed) flush();
        },
        complete: () => {
          ended = {};
          if (!overflowed) flush();
        },
      });
      return () => {
        stream.off('drain', flush);
        subscription.unsubscribe();
      };
    });
  }

  /** Ends the stream with UNAUTHENTICATED once its token is no longer valid for a new call. */
  private untilExpiry(
    context: ExecutionContext,
    principal: Principal,
    answers: Observable<unknown>,
  ): Observable<unknown> {
    const endsAt = (principal.expiresAt + this.skewSeconds) * 1000;
    return new Observable((subscriber) => {
      let timer: NodeJS.Timeout | undefined;
      const arm = (): void => {
        const left = endsAt - Date.now();
        if (left > 0) {
          // setTimeout takes at most about 24.8 days: a longer token re-arms.
          timer = setTimeout(arm, Math.min(left, 2 ** 31 - 1));
          return;
        }
        subscription.unsubscribe();
        const refusal = new AuthError(
          'TOKEN_EXPIRED',
          `token expired at ${new Date(principal.expiresAt * 1000).toISOString()}: ` +
            'open the stream again with a renewed token',
        );
        void this.refused(context, principal, refusal).then(() => subscriber.error(refusal));
      };
      // An observer of its own: unsubscribing from the answers at expiry must leave this subscriber open for the error.
      const subscription = answers.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
      arm();
      return () => {
        clearTimeout(timer);
        subscription.unsubscribe();
      };
    });
  }

  private async refused(context: ExecutionContext, principal: Principal, refusal: FeatureError): Promise<void> {
    (refusal as unknown as Record<symbol, boolean>)[REFUSAL_AUDITED] = true;
    const entry = {
      actor: principal.subject,
      role: principal.role,
      action: rpcActionOf(context),
      outcome: refusal.kind,
      detail: { reason: refusal.message, code: refusal.code },
    };
    try {
      await this.audit.record(entry);
    } catch (error) {
      this.logger.error(`audit of a refused call failed: ${(error as Error).message}`, JSON.stringify(entry));
    }
  }
}

/** The grpc-js call a response stream is written to: Nest hands it to the handler after the request and metadata. */
function responseStreamOf(context: ExecutionContext): ResponseStream | undefined {
  for (const arg of context.getArgs<unknown[]>()) {
    if (
      typeof arg === 'object' &&
      arg !== null &&
      typeof (arg as ResponseStream).write === 'function' &&
      'writableNeedDrain' in arg
    )
      return arg as ResponseStream;
  }
  return undefined;
}
