import {
  ASYNC_CONTEXTS,
  currentRequest,
  DEFAULT_REQUEST_REST_MS,
  holdRequest,
  requestContextEnabled,
  requestIdFrom,
  runInRequest,
  setRequestRestMs,
} from './request-context';

describe(requestIdFrom.name, () => {
  it('keeps a caller’s id of up to 128 printable characters', () => {
    expect(requestIdFrom('trace-42.a:b_c')).toBe('trace-42.a:b_c');
    expect(requestIdFrom('x'.repeat(128))).toBe('x'.repeat(128));
  });

  it('replaces anything else by a new UUID: too long, spaces, control characters, nothing', () => {
    for (const bad of ['x'.repeat(129), 'two words', 'line\nbreak', '', undefined, ['a', 'b'], 42]) {
      expect(requestIdFrom(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});

describe(runInRequest.name, () => {
  it('holds the request for the code it runs, and none outside', async () => {
    expect(currentRequest()).toBeUndefined();
    const seen = await runInRequest({ requestId: 'r-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return currentRequest()?.requestId;
    });
    expect(seen).toBe('r-1');
    expect(currentRequest()).toBeUndefined();
  });
});

describe('the request storage at rest', () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  beforeAll(() => setRequestRestMs(100));
  afterAll(() => setRequestRestMs(DEFAULT_REQUEST_REST_MS));

  it('rests once nothing was entered for the rest period, and the next request enables it again', async () => {
    runInRequest({ requestId: 'r-1' }, () => undefined);
    expect(requestContextEnabled()).toBe(true);
    await sleep(250);
    expect(requestContextEnabled()).toBe(false);
    const seen = await runInRequest({ requestId: 'r-2' }, async () => {
      await sleep(1);
      return currentRequest()?.requestId;
    });
    expect(seen).toBe('r-2');
    expect(requestContextEnabled()).toBe(true);
  });

  it('stays on while a request is held; work it leaves running keeps its id for the rest period', async () => {
    const release = holdRequest();
    const ids: (string | undefined)[] = [];
    const answered = runInRequest({ requestId: 'slow' }, async () => {
      await sleep(300);
      ids.push(currentRequest()?.requestId);
      // Left running after the answer.
      setTimeout(() => ids.push(currentRequest()?.requestId), 50);
    });
    await answered;
    release();
    release(); // idempotent: the count is not taken twice
    expect(requestContextEnabled()).toBe(true);
    await sleep(80);
    expect(ids).toEqual(['slow', 'slow']);
    await sleep(250);
    expect(requestContextEnabled()).toBe(false);
    expect(ASYNC_CONTEXTS.get('request')?.()).toBe(false);
  });
});
