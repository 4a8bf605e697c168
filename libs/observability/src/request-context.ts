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

const storage = new AsyncLocalStorage<RequestContext>();
/**
 * Calls and requests being served with their context in `storage` (openRequest
 * to closeRequest). On Node 20 an AsyncLocalStorage in use turns async_hooks on
 * for the whole process: every promise, tick and socket write of every call pays
 * an init hook, the plain handlers' calls included. With none open the storage is
 * disabled, which turns the hooks off (unless the transaction guard holds one).
 */
let served = 0;
/** Contexts whose call or request is over: code still running for it no longer sees it. */
const ended = new WeakSet<RequestContext>();

/** The caller's id when it is usable (bounded, printable), else a new one. */
export function requestIdFrom(value: unknown): string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

/** A call or request starts being served: runInRequest may run its work until closeRequest. */
export function openRequest(): void {
  served++;
}

/** Its call or request is answered: the context is seen no more, and with none open the storage rests. */
export function closeRequest(context: RequestContext): void {
  ended.add(context);
  if (--served <= 0) {
    served = 0;
    storage.disable();
  }
}

/**
 * Runs `work` as part of the request, between openRequest and closeRequest:
 * code it calls, sync or async, sees the context.
 */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** Opens a request for `work`'s promise, runs it in the context and closes the request once it settles. */
export async function serveRequest<T>(context: RequestContext, work: () => Promise<T>): Promise<T> {
  openRequest();
  try {
    return await runInRequest(context, work);
  } finally {
    closeRequest(context);
  }
}

/** The request being served, if any (none once it has been answered). */
export function currentRequest(): RequestContext | undefined {
  const context = storage.getStore();
  return context === undefined || ended.has(context) ? undefined : context;
}
