import { currentRequest, requestIdFrom, runInRequest } from './request-context';

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
