import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import type { FeatureError } from '@app/domain';
import { AuthError } from '../auth/auth.errors';
import { CallAdmission } from '../auth/call-admission';
import { callPrincipalOf } from '../auth/principal';
import { rpcActionOf } from '../auth/rpc-action';
import type { Principal } from '../auth/token';
import { ClientLimitError } from './client-limit-settings';
import { methodShape } from './proto';

export {
  CLIENT_LIMITS,
  ClientLimitError,
  clientLimits,
  DEFAULT_CLIENT_LIMITS,
  type ClientLimits,
} from './client-limit-settings';

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
  constructor(private readonly admission: CallAdmission) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal =
      context.getType() === 'rpc' || context.getType() === 'http' ? callPrincipalOf(context) : undefined;
    if (!principal) return next.handle();
    // grpc-js hands even a unary handler a writable call: the method's definition says what streams.
    const shape = context.getType() === 'rpc' ? methodShape(rpcActionOf(context)) : undefined;
    const streaming = shape !== undefined && (shape.requestStream || shape.responseStream);
    const responses = shape?.responseStream ? responseStreamOf(context) : undefined;
    const release = this.admission.claim(principal, streaming);
    if (typeof release !== 'function') {
      return new Observable((subscriber) => {
        void this.refused(context, principal, release).then(() => subscriber.error(release));
      });
    }
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
    const max = this.admission.limits.streamBuffer;
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
    const endsAt = (principal.expiresAt + this.admission.skewSeconds) * 1000;
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

  private refused(context: ExecutionContext, principal: Principal, refusal: FeatureError): Promise<void> {
    return this.admission.refuseLimit(rpcActionOf(context), principal, refusal);
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
