import { backoffDelay, pause } from './backoff';

describe(backoffDelay.name, () => {
  it('doubles from the base and stops at the cap', () => {
    const top = () => 1; // no jitter: the ceiling itself
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, 200, 5000, top))).toEqual([
      200, 400, 800, 1600, 3200, 5000, 5000,
    ]);
    expect(backoffDelay(1_000, 200, 5000, top)).toBe(5000);
  });

  it('jitters down by at most half, so replicas spread their retries', () => {
    expect(backoffDelay(3, 200, 5000, () => 0)).toBe(400);
    expect(backoffDelay(3, 200, 5000, () => 0.5)).toBe(600);
  });
});

describe(pause.name, () => {
  it('ends at once when stopped', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const paused = pause(60_000, stop.signal);
    stop.abort();
    await paused;
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
