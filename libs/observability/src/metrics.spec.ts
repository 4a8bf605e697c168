import { ConfigError } from '@app/config';
import { sampleOf } from '@app/testing';
import { LATENCY_BUCKETS, Metrics, PreboundCounter, PreboundHistogram, scrapeRead } from './metrics';
import { metricsListenConfig, serveMetrics } from './metrics-server';
import { runInRequest } from './request-context';

describe(Metrics.name, () => {
  it('labels every series with the service, its own and the process’s', async () => {
    const metrics = new Metrics('carrier-cmcc');
    metrics
      .counter({ name: 'fraud_test_total', help: 'a test counter', labelNames: ['kind'] })
      .inc({ kind: 'call' }, 3);
    const text = await metrics.exposition();
    expect(text).toContain('# TYPE fraud_test_total counter');
    expect(sampleOf(text, 'fraud_test_total', { kind: 'call', service: 'carrier-cmcc' })).toBe(3);
    expect(sampleOf(text, 'process_resident_memory_bytes', {})).toBeGreaterThan(0);
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="[a-z-]+"\}/);
  });

  it('says which AsyncLocalStorage of the process is enabled', async () => {
    const metrics = new Metrics('carrier-ctcc');
    const enabled = async () =>
      sampleOf(await metrics.exposition(), 'nodejs_async_context_enabled', { storage: 'request' });
    expect(await enabled()).toBe(0);
    runInRequest({ requestId: 'r-1' }, () => undefined);
    expect(await enabled()).toBe(1);
  });

  it('reads a gauge where it lives, on every scrape', async () => {
    const metrics = new Metrics('registry');
    let listed = 3;
    metrics.gauge({
      name: 'fraud_test_listed',
      help: 'read on scrape',
      collect() {
        this.set(listed);
      },
    });
    expect(sampleOf(await metrics.registry.metrics(), 'fraud_test_listed')).toBe(3);
    listed = 5;
    expect(sampleOf(await metrics.registry.metrics(), 'fraud_test_listed')).toBe(5);
  });
});

describe('metrics declared by a table', () => {
  it('registers counters, gauges and histograms under their names, labels and help, keyed as the table', async () => {
    const metrics = new Metrics('admin');
    const count = metrics.counters({
      calls: ['fraud_test_table_calls_total', ['kind', 'result'], 'calls by kind and result'],
    } as const);
    const lag = metrics.histograms(
      { feed: ['fraud_test_table_lag_seconds', ['carrier'], 'feed lag'] } as const,
      [1, 5],
    );
    let listed = 2;
    const gauges = metrics.gauges({
      listed: [
        'fraud_test_table_listed',
        [],
        'read on scrape',
        function () {
          this.set(listed);
        },
      ],
      cursor: ['fraud_test_table_cursor', ['carrier'], 'set by the service'],
    } as const);
    count.calls.inc({ kind: 'call', result: 'ok' }, 2);
    lag.feed.observe({ carrier: 'CMCC' }, 3);
    gauges.cursor.set({ carrier: 'CMCC' }, 7);
    listed = 4;
    const text = await metrics.registry.metrics();
    expect(text).toContain('# HELP fraud_test_table_calls_total calls by kind and result');
    expect(text).toContain('# TYPE fraud_test_table_calls_total counter');
    expect(sampleOf(text, 'fraud_test_table_calls_total', { kind: 'call', result: 'ok' })).toBe(2);
    expect(text).toContain('# TYPE fraud_test_table_lag_seconds histogram');
    expect(sampleOf(text, 'fraud_test_table_lag_seconds_bucket', { carrier: 'CMCC', le: '1' })).toBe(0);
    expect(sampleOf(text, 'fraud_test_table_lag_seconds_bucket', { carrier: 'CMCC', le: '5' })).toBe(1);
    expect(sampleOf(text, 'fraud_test_table_listed')).toBe(4);
    expect(sampleOf(text, 'fraud_test_table_cursor', { carrier: 'CMCC' })).toBe(7);
  });
});

describe(scrapeRead.name, () => {
  it('shares one read among the calls of a scrape, and reads again at the next', async () => {
    let reads = 0;
    const read = scrapeRead(async () => ++reads, fail);
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(await read()).toBe(2);
  });

  it('hands a failed read to its handler and gives undefined', async () => {
    const failures: string[] = [];
    const read = scrapeRead(
      () => Promise.reject(new Error('database away')),
      (error) => failures.push(error.message),
    );
    expect(await Promise.all([read(), read()])).toEqual([undefined, undefined]);
    expect(failures).toEqual(['database away']);
  });

  function fail(error: Error): never {
    throw error;
  }
});

describe(PreboundCounter.name, () => {
  it('binds each label set once, whatever the order of its labels, and counts on the cell', async () => {
    const metrics = new Metrics('registry');
    const counter = new PreboundCounter('fraud_test_calls_total', 'calls');
    metrics.register(counter);
    const ok = counter.bind({ method: 'CheckNumbers', code: 'OK' });
    expect(counter.bind({ code: 'OK', method: 'CheckNumbers' })).toBe(ok);
    ok.inc();
    ok.inc(2);
    counter.bind({ method: 'CheckNumbers', code: 'NOT_FOUND' }).inc();
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE fraud_test_calls_total counter');
    expect(sampleOf(text, 'fraud_test_calls_total', { code: 'OK', service: 'registry' })).toBe(3);
    expect(sampleOf(text, 'fraud_test_calls_total', { code: 'NOT_FOUND' })).toBe(1);
  });

  it('may be registered again (a restarted app in the same process)', () => {
    const metrics = new Metrics('registry');
    metrics.register(new PreboundCounter('fraud_test_again_total', 'x'));
    expect(() => metrics.register(new PreboundCounter('fraud_test_again_total', 'x'))).not.toThrow();
  });
});

describe(PreboundHistogram.name, () => {
  it('exposes cumulative buckets, +Inf, sum and count per label set', async () => {
    const metrics = new Metrics('carrier-ctcc');
    const histogram = new PreboundHistogram('fraud_test_seconds', 'latency', [0.001, 0.01, 0.1]);
    metrics.register(histogram);
    const cell = histogram.bind({ method: 'CheckCall' });
    for (const seconds of [0.0004, 0.001, 0.005, 0.05, 3]) cell.observe(seconds);
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE fraud_test_seconds histogram');
    const bucket = (le: string) => sampleOf(text, 'fraud_test_seconds_bucket', { method: 'CheckCall', le });
    expect([bucket('0.001'), bucket('0.01'), bucket('0.1'), bucket('+Inf')]).toEqual([2, 3, 4, 5]);
    expect(sampleOf(text, 'fraud_test_seconds_count', { method: 'CheckCall' })).toBe(5);
    expect(sampleOf(text, 'fraud_test_seconds_sum', { method: 'CheckCall' })).toBeCloseTo(3.0564, 6);
  });

  it('has latency buckets from a quarter of a millisecond to ten seconds, in order', () => {
    expect(LATENCY_BUCKETS[0]).toBe(0.00025);
    expect(LATENCY_BUCKETS.at(-1)).toBe(10);
    expect([...LATENCY_BUCKETS].sort((a, b) => a - b)).toEqual(LATENCY_BUCKETS);
  });
});

describe(metricsListenConfig.name, () => {
  it('listens where gRPC does unless told, on the service’s port unless told; 0 serves nothing', () => {
    expect(metricsListenConfig({}, 9461)).toEqual({ host: '0.0.0.0', port: 9461 });
    expect(metricsListenConfig({ GRPC_HOST: '127.0.0.1' }, 9461)).toEqual({ host: '127.0.0.1', port: 9461 });
    expect(
      metricsListenConfig({ GRPC_HOST: '127.0.0.1', METRICS_HOST: '10.0.0.5', METRICS_PORT: '9999' }, 9461),
    ).toEqual({ host: '10.0.0.5', port: 9999 });
    expect(metricsListenConfig({ METRICS_PORT: '0' }, 9461).port).toBe(0);
  });

  it('refuses a bad port, or the gRPC port', () => {
    expect(() => metricsListenConfig({ METRICS_PORT: 'nine' }, 9461)).toThrow(ConfigError);
    expect(() => metricsListenConfig({ METRICS_PORT: '50051', GRPC_PORT: '50051' }, 9461)).toThrow(/METRICS_PORT/);
  });
});

describe(serveMetrics.name, () => {
  it('answers GET /metrics with the exposition and anything else with 404 or 405', async () => {
    const metrics = new Metrics('registry');
    metrics.counter({ name: 'fraud_test_served_total', help: 'served' }).inc();
    const server = await serveMetrics(metrics, { host: '127.0.0.1', port: 0 });
    try {
      const answer = await fetch(`http://${server.address}/metrics`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(sampleOf(await answer.text(), 'fraud_test_served_total')).toBe(1);
      expect((await fetch(`http://${server.address}/`)).status).toBe(404);
      expect((await fetch(`http://${server.address}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
