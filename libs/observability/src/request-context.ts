import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/** The call or HTTP request being served: what every log line written for it carries. */
export interface RequestContext {
  readonly requestId: string;
  /** The verified caller's role, once the auth guard has one (never the token). */
  role?: string;
}

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's id is kept when it is 1 to 128 of these characters; anything else is replaced. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/**
 * How long the storage stays enabled after the last request was held or entered
 * (milliseconds): work a request leaves running after its answer keeps its id
 * for at least this long.
 */
export const DEFAULT_REQUEST_REST_MS = 10_000;

const storage = new AsyncLocalStorage<RequestContext>();

/**
 * While an AsyncLocalStorage is enabled, Node 20 runs its hooks on every promise,
 * tick and write of the process, call setup's included: 5 to 6% of a carrier's
 * CPU at full call-setup load. So the storage rests (is disabled, and the hooks
 * with it when no other storage is enabled) once no request has been held for
 * `restMs` and none entered: a province's analysts and police call a service now
 * and then, while its hot paths (CheckCall, a carrier's ingest stream, health
 * checks) never enter it. The next request enables it again.
 */
class Resting {
  restMs = DEFAULT_REQUEST_REST_MS;
  /** Requests being served (holdRequest): the storage never rests under them. */
  held = 0;
  /** performance.now() of the last entry or release. */
  lastUsed = 0;
  enabled = false;
  private timer: NodeJS.Timeout | undefined;

  used(): void {
    this.lastUsed = performance.now();
    this.enabled = true;
    if (this.timer === undefined) this.arm(this.restMs);
  }

  setRestMs(ms: number): void {
    this.restMs = ms;
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.arm(ms);
  }

  private arm(ms: number): void {
    // Not part of any request: the timer would otherwise carry the one that armed it.
    this.timer = storage.exit(() => setTimeout(() => this.check(), ms));
    this.timer.unref();
  }

  private check(): void {
    this.timer = undefined;
    if (!this.enabled) return;
    const idle = performance.now() - this.lastUsed;
    if (this.held > 0 || idle < this.restMs) return this.arm(Math.max(1, this.restMs - idle));
    storage.disable();
    this.enabled = false;
  }
}

const resting = new Resting();

/** The caller's id when it is usable (bounded, printable), else a new one. */
export function requestIdFrom(value: unknown): string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Runs `work` as part of the request: code it calls, sync or async, sees the context. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  resting.used();
  return storage.run(context, work);
}

/**
 * Marks a request as being served until the returned function is called (once;
 * later calls do nothing): the storage does not rest meanwhile, so the request's
 * work between its entries (runInRequest) keeps its id however long it takes.
 */
export function holdRequest(): () => void {
  resting.held++;
  resting.used();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    resting.held--;
    resting.lastUsed = performance.now();
  };
}

/** The request being served, if any. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

/** Whether the request storage (and so Node's async hooks, for its part) is enabled: for the gauge and the tests. */
export function requestContextEnabled(): boolean {
  return resting.enabled;
}

/**
 * The process's AsyncLocalStorages by name, and whether each is enabled now:
 * `nodejs_async_context_enabled{storage}` on every scrape. While one is, Node
 * runs its hooks on every async operation of the process.
 */
export const ASYNC_CONTEXTS = new Map<string, () => boolean>([['request', requestContextEnabled]]);

/** Sets how long the storage stays enabled after its last use (tests; the services keep the default). */
export function setRequestRestMs(ms: number): void {
  resting.setRestMs(ms);
}
