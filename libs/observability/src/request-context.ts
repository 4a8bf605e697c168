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

/** The caller's id when it is usable (bounded, printable), else a new one. */
export function requestIdFrom(value: unknown): string {
  return typeof value === 'string' && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}

/** Runs `work` as part of the request: code it calls, sync or async, sees the context. */
export function runInRequest<T>(context: RequestContext, work: () => T): T {
  return storage.run(context, work);
}

/** The request being served, if any. */
export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
