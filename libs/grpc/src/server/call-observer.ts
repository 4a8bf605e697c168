import {
  Metadata,
  ServerInterceptingCall,
  status as GrpcCode,
  type ServerInterceptor,
  type ServerInterceptingCallInterface,
  type ServerMethodDefinition,
} from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import { maybePrincipalOf } from '../auth/principal';
import type { AuditSink } from '../auth/audit';
import { malformedReason } from './proto';
import {
  LATENCY_BUCKETS,
  PreboundCounter,
  PreboundHistogram,
  holdRequest,
  REQUEST_ID_HEADER,
  requestIdFrom,
  runInRequest,
  type CounterCell,
  type HistogramCell,
  isLogLevelEnabled,
  type Metrics,
  type RequestContext,
} from '@app/observability';

/** Successful calls of these methods come at high rates: logged at debug level only. */
export const HIGH_RATE_METHODS: ReadonlySet<string> = new Set([
  'fraud.carrier.v1.CarrierService/CheckCall',
  'fraud.carrier.v1.CarrierService/IngestEvents',
  'fraud.registry.v1.RegistryService/CheckNumbers',
  'fraud.registry.v2.RegistryService/CheckNumbers',
  'grpc.health.v1.Health/Check',
  'grpc.health.v1.Health/Watch',
]);

/**
 * Calls of these methods run outside the request context (runInRequest): a
 * carrier's event stream never ends while the carrier is in service, and health
 * checks come every few seconds, so either would keep the context's
 * AsyncLocalStorage, and Node's hooks on every async operation of the process,
 * on for good. Their request id is still echoed, counted and on the call's log
 * line, with the caller's role.
 */
export const CONTEXT_FREE_METHODS: ReadonlySet<string> = new Set([
  'fraud.carrier.v1.CarrierService/IngestEvents',
  'grpc.health.v1.Health/Check',
  'grpc.health.v1.Health/Watch',
]);

export const DEFAULT_SLOW_CALL_MS = 1000;

/** Status codes whose failure is the server's, not the caller's. */
const SERVER_FAULTS: ReadonlySet<number> = new Set([
  GrpcCode.UNKNOWN,
  GrpcCode.INTERNAL,
  GrpcCode.DATA_LOSS,
  GrpcCode.UNIMPLEMENTED,
]);
const MAX_LOGGED_DETAILS = 300;

/** One method's label sets, resolved once: a call then costs two array increments. */
class MethodCells {
  readonly name: string;
  readonly latency: HistogramCell;
  readonly quiet: boolean;
  readonly unary: boolean;
  /** Its calls are not run in the request context (CONTEXT_FREE_METHODS). */
  readonly contextFree: boolean;
  private readonly labels: { grpc_service: string; grpc_method: string; grpc_type: string };
  private readonly codes: (CounterCell | undefined)[] = [];

  constructor(
    definition: ServerMethodDefinition<unknown, unknown>,
    private readonly counter: PreboundCounter,
    histogram: PreboundHistogram,
  ) {
    this.name = definition.path.replace(/^\//, '');
    const slash = this.name.lastIndexOf('/');
    const type = definition.requestStream
      ? definition.responseStream
        ? 'bidi_stream'
        : 'client_stream'
      : definition.responseStream
        ? 'server_stream'
        : 'unary';
    this.labels = { grpc_service: this.name.slice(0, slash), grpc_method: this.name.slice(slash + 1), grpc_type: type };
    this.latency = histogram.bind(this.labels);
    this.quiet = HIGH_RATE_METHODS.has(this.name);
    this.unary = type === 'unary';
    this.contextFree = CONTEXT_FREE_METHODS.has(this.name);
  }

  handled(code: number): CounterCell {
    return (this.codes[code] ??= this.counter.bind({ ...this.labels, grpc_code: GrpcCode[code] ?? String(code) }));
  }
}

interface CallState extends RequestContext {
  requestId: string;
}

/** A call of a plain handler's method, as its handler observes it (PlainMethodCalls.begin). */
export interface PlainCall extends RequestContext {
  readonly requestId: string;
  role: string | undefined;
  /** performance.now() when the handler was called. */
  readonly started: number;
  finished: boolean;
}

/**
 * What a plain handler (server/plain-unary) records of each call of its method,
 * in place of the interceptor: the same metrics, request id and log line. grpc-js
 * builds a server's interceptor chain for every call of every method, so the
 * observer hands these calls through untouched and their handler reports them.
 */
export interface PlainMethodCalls {
  /** `fraud.carrier.v1.CarrierService/CheckCall`. */
  readonly name: string;
  /** A call as its handler starts, with its request id: the caller's `x-request-id` when valid, else a new one. */
  begin(metadata: Metadata): PlainCall;
  /** The call's status is sent (`code`, with `details` when it failed): counted, timed and logged once. */
  end(call: PlainCall, code: number, details?: string): void;
  /** Audits a request message that did not decode, as the interceptor does for other methods. */
  refuseMalformed(metadata: Metadata, reason: string): Promise<void>;
}

/**
 * Every call a gRPC server takes, observed in one place (a grpc-js server
 * interceptor, so refusals by the auth guard and health checks count too; the
 * calls of a plain handler's method are reported by the handler, plainMethod):
 *
 * - `grpc_server_handled_total{grpc_service,grpc_method,grpc_type,grpc_code}` and
 *   `grpc_server_handling_seconds{grpc_service,grpc_method,grpc_type}`;
 * - the request id (`x-request-id` from the caller when valid, else a new one) in
 *   the request context while the call runs (but for CONTEXT_FREE_METHODS), echoed
 *   in the response headers (or the trailers of a call that fails before any header);
 * - one log line per failed call, per slow unary call, and per successful call
 *   (debug for high-rate methods), with method, code, duration, request id and the
 *   caller's role, never the token or the request.
 */
export class GrpcCallObserver {
  readonly handled = new PreboundCounter(
    'grpc_server_handled_total',
    'gRPC calls completed, by method and status code.',
  );
  readonly latency = new PreboundHistogram(
    'grpc_server_handling_seconds',
    'Time from a call arriving to its status being sent, in seconds.',
    LATENCY_BUCKETS,
  );
  /**
   * The calls of plain handlers' methods pass through as grpc-js made them (the
   * handler observes them: plainMethod); every other call is wrapped.
   */
  readonly interceptor: ServerInterceptor = (definition, call) =>
    // grpc-js takes any ServerInterceptingCallInterface back; its types name the class only.
    this.plainPaths.has(definition.path) ? (call as ServerInterceptingCall) : this.intercept(definition, call);
  private readonly methods = new Map<string, MethodCells>();
  /** Paths of the methods served by plain handlers (plainMethod). */
  private readonly plainPaths = new Set<string>();
  private readonly logger = new Logger('grpc');
  private audit: AuditSink | undefined;

  constructor(private readonly slowCallMs = DEFAULT_SLOW_CALL_MS) {}

  /**
   * Where calls refused here (a request message that does not decode) are audited;
   * the bootstrap sets the app's audit log.
   */
  auditTo(sink: AuditSink): void {
    this.audit = sink;
  }

  /**
   * Calls of `definition`'s method (`/fraud.carrier.v1.CarrierService/CheckCall`)
   * are served by a plain handler, which records them through what this returns:
   * the interceptor leaves them alone, and no AsyncLocalStorage is entered for them.
   */
  plainMethod(definition: ServerMethodDefinition<unknown, unknown>): PlainMethodCalls {
    this.plainPaths.add(definition.path);
    this.methods.delete(definition.path);
    const cells = this.cellsOf(definition);
    return {
      name: cells.name,
      begin: (metadata) => ({
        requestId: requestIdFrom(metadata.get(REQUEST_ID_HEADER)[0]),
        role: undefined,
        started: performance.now(),
        finished: false,
      }),
      end: (call, code, details) => {
        if (call.finished) return;
        call.finished = true;
        this.record(cells, code, performance.now() - call.started, call, details);
      },
      refuseMalformed: (metadata, reason) => this.refuseMalformed(cells, metadata, reason),
    };
  }

  register(metrics: Metrics): void {
    metrics.register(this.handled);
    metrics.register(this.latency);
  }

  private cellsOf(definition: ServerMethodDefinition<unknown, unknown>): MethodCells {
    let cells = this.methods.get(definition.path);
    if (!cells) {
      cells = new MethodCells(definition, this.handled, this.latency);
      this.methods.set(definition.path, cells);
    }
    return cells;
  }

  private intercept(
    definition: ServerMethodDefinition<unknown, unknown>,
    call: ServerInterceptingCallInterface,
  ): ServerInterceptingCall {
    const cells = this.cellsOf(definition);
    const started = performance.now();
    const state: CallState = { requestId: '' };
    const run: <T>(work: () => T) => T = cells.contextFree ? (work) => work() : (work) => runInRequest(state, work);
    // A unary call holds the context until its status; a stream's is entered as each message arrives.
    const release = cells.unary && !cells.contextFree ? holdRequest() : undefined;
    let headersSent = false;
    let finished = false;
    let requestMetadata: Metadata | undefined;
    const finish = (code: number, details: string | undefined): void => {
      if (finished) return;
      finished = true;
      release?.();
      // The guard names the caller's role in the context; a context-free call's is read off its metadata.
      if (cells.contextFree && state.role === undefined) state.role = maybePrincipalOf(requestMetadata)?.role;
      this.record(cells, code, performance.now() - started, state, details);
    };
    const intercepted: ServerInterceptingCall = new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, nextMetadata) => {
            requestMetadata = metadata;
            state.requestId = requestIdFrom(metadata.get(REQUEST_ID_HEADER)[0]);
            run(() => nextMetadata(metadata));
          },
          onReceiveMessage: (message, nextMessage) => {
            const malformed = malformedReason(message);
            if (malformed === undefined) return run(() => nextMessage(message));
            // Never reaches the handler: refused here, audited with the caller when a stream's guard knew it.
            void this.refuseMalformed(cells, requestMetadata, malformed).then(() =>
              intercepted.sendStatus({ code: GrpcCode.INVALID_ARGUMENT, details: malformed }),
            );
          },
          onReceiveHalfClose: (nextHalfClose) => run(nextHalfClose),
          onCancel: () => finish(GrpcCode.CANCELLED, 'cancelled by the caller or its deadline'),
        }),
      sendMetadata: (metadata, next) => {
        headersSent = true;
        if (state.requestId !== '') metadata.set(REQUEST_ID_HEADER, state.requestId);
        next(metadata);
      },
      sendStatus: (status, next) => {
        const code = status.code ?? GrpcCode.OK;
        finish(code, status.details);
        if (headersSent || state.requestId === '') return next(status);
        // A trailers-only answer (a call refused before any header): the id goes with the status.
        const trailers = status.metadata ?? new Metadata();
        trailers.set(REQUEST_ID_HEADER, state.requestId);
        next({ ...status, metadata: trailers });
      },
    });
    return intercepted;
  }

  private async refuseMalformed(cells: MethodCells, metadata: Metadata | undefined, reason: string): Promise<void> {
    const principal = maybePrincipalOf(metadata);
    const entry = {
      actor: principal?.subject ?? '',
      role: principal?.role ?? '',
      action: cells.name,
      outcome: 'INVALID_ARGUMENT',
      detail: { reason, code: 'MALFORMED_MESSAGE' },
    };
    try {
      await this.audit?.record(entry);
    } catch (error) {
      this.logger.error(`audit of a refused call failed: ${(error as Error).message}`, JSON.stringify(entry));
    }
  }

  /** A call's status: counted, timed, logged. */
  private record(
    cells: MethodCells,
    code: number,
    ms: number,
    state: RequestContext,
    details: string | undefined,
  ): void {
    cells.latency.observe(ms / 1000);
    cells.handled(code).inc();
    this.logCall(cells, code, ms, state, details);
  }

  private logCall(
    cells: MethodCells,
    code: number,
    ms: number,
    state: RequestContext,
    details: string | undefined,
  ): void {
    const failed = code !== GrpcCode.OK;
    const slow = cells.unary && ms >= this.slowCallMs;
    const level = failed
      ? SERVER_FAULTS.has(code)
        ? 'error'
        : code === GrpcCode.CANCELLED
          ? 'log'
          : 'warn'
      : slow
        ? 'warn'
        : cells.quiet
          ? 'debug'
          : 'log';
    if (!isLogLevelEnabled(level)) return;
    const line = {
      msg: failed ? 'call failed' : slow ? 'slow call' : 'call',
      method: cells.name,
      code: GrpcCode[code] ?? String(code),
      duration_ms: Math.round(ms * 100) / 100,
      request_id: state.requestId,
      ...(state.role === undefined ? {} : { role: state.role }),
      ...(failed && details
        ? { details: details.length > MAX_LOGGED_DETAILS ? `${details.slice(0, MAX_LOGGED_DETAILS)}…` : details }
        : {}),
    };
    this.logger[level](line);
  }
}
