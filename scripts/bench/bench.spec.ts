import { clientsForRate } from './callcheck';
import { grpcFrame, grpcUnframe, parseH2loadLog, parseH2loadSummary } from './grpc-frame';
import { encodeRequest } from './proto-methods';
import { checkRequest, checkVersions, packedRequest, seededNumber } from './registry-check';
import { describeTarget, evaluate, formatNumber, formatTable } from './report';
import { benchSettings } from './settings';
import { percentile, perSecond, summarise } from './stats';

describe(percentile.name, () => {
  it('interpolates between the closest ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 20, 30], 50)).toBe(20);
    expect(percentile([0, 100], 99)).toBeCloseTo(99);
    expect(percentile([5], 99)).toBe(5);
  });

  it('gives the ends for p0 and p100, and NaN for no values', () => {
    expect(percentile([1, 2, 3], 0)).toBe(1);
    expect(percentile([1, 2, 3], 100)).toBe(3);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe(summarise.name, () => {
  it('sorts numerically before taking percentiles', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1, unsorted on purpose
    expect(summarise([10, 9, 100, 2])).toMatchObject({ count: 4, p50: 9.5, max: 100, mean: 30.25 });
    expect(summarise(samples)).toMatchObject({ count: 100, p50: 50.5, max: 100 });
    expect(summarise(samples).p99).toBeCloseTo(99.01);
  });

  it('counts rates per second', () => {
    expect(perSecond(500, 250)).toBe(2000);
    expect(perSecond(1, 0)).toBeNaN();
  });
});

describe('gRPC framing for h2load', () => {
  it('prefixes a message with flag 0 and its big-endian length', () => {
    const frame = grpcFrame(Uint8Array.from([0x0a, 0x01, 0x41]));
    expect([...frame]).toEqual([0, 0, 0, 0, 3, 0x0a, 0x01, 0x41]);
    expect(grpcUnframe(frame).map((m) => [...m])).toEqual([[0x0a, 0x01, 0x41]]);
  });

  it('reads frames back to back, and refuses truncated or compressed ones', () => {
    const two = Buffer.concat([grpcFrame(Buffer.from('ab')), grpcFrame(Buffer.alloc(0))]);
    expect(grpcUnframe(two).map((m) => m.toString())).toEqual(['ab', '']);
    expect(() => grpcUnframe(Buffer.from([0, 0, 0, 0, 9, 1]))).toThrow('truncated gRPC message');
    expect(() => grpcUnframe(Buffer.from([1, 0, 0, 0, 0]))).toThrow('compressed');
    expect(() => grpcUnframe(Buffer.from([0, 0]))).toThrow('truncated gRPC frame header');
  });

  it('frames a real CheckCall request, encoded with the services’ proto-loader options', () => {
    const message = encodeRequest('fraud/carrier/v1/carrier.proto', 'fraud.carrier.v1.CarrierService', 'CheckCall', {
      caller: '+8613500000001',
      callee: '+8613800000002',
    });
    const frame = grpcFrame(message);
    expect(frame.readUInt32BE(1)).toBe(message.length);
    // Field 1 (caller), wire type 2, 14 bytes, then the text.
    expect([...message.subarray(0, 2)]).toEqual([0x0a, 14]);
    expect(message.subarray(2, 16).toString()).toBe('+8613500000001');
  });
});

describe(parseH2loadLog.name, () => {
  it('reads start, status and duration per request', () => {
    const log = '1764400000000000\t200\t512\n1764400000000100\t200\t1480\n\n';
    expect(parseH2loadLog(log)).toEqual([
      { startUs: 1764400000000000, status: 200, durationUs: 512 },
      { startUs: 1764400000000100, status: 200, durationUs: 1480 },
    ]);
  });

  it('names the line it cannot read', () => {
    expect(() => parseH2loadLog('1\t200\t5\nnot a line\n')).toThrow('h2load log line 2');
  });
});

describe(parseH2loadSummary.name, () => {
  it('reads the counters and the rate', () => {
    const output = [
      'finished in 5.00s, 4998.60 req/s, 263.62KB/s',
      'requests: 24993 total, 24993 started, 24993 done, 24993 succeeded, 0 failed, 0 errored, 0 timeout',
    ].join('\n');
    expect(parseH2loadSummary(output)).toEqual({
      total: 24993,
      done: 24993,
      succeeded: 24993,
      failed: 0,
      errored: 0,
      timeout: 0,
      rate: 4998.6,
    });
    expect(
      parseH2loadSummary(
        'finished in 812.33ms, 2461.75 req/s, 1MB/s\n' +
          'requests: 2000 total, 2000 started, 2000 done, 1990 succeeded, 10 failed, 0 errored, 0 timeout',
      )?.rate,
    ).toBe(2461.75);
  });

  it('gives undefined for output that is not h2load’s', () => {
    expect(parseH2loadSummary('connection refused')).toBeUndefined();
  });
});

describe('figures, ratios and targets', () => {
  it('compares a ratio to the reference', () => {
    expect(
      evaluate({
        id: 'b',
        name: 'ingest',
        value: 300,
        unit: 'events/s',
        reference: 500,
        target: { kind: 'ratio', at: 0.5 },
      }),
    ).toMatchObject({ ratio: 0.6, met: true });
    expect(
      evaluate({
        id: 'b',
        name: 'ingest',
        value: 200,
        unit: 'events/s',
        reference: 500,
        target: { kind: 'ratio', at: 0.5 },
      }),
    ).toMatchObject({ ratio: 0.4, met: false });
  });

  it('a ratio target without a reference is missed, not met', () => {
    const figure = evaluate({
      id: 'b',
      name: 'ingest',
      value: 200,
      unit: 'events/s',
      target: { kind: 'ratio', at: 0.5 },
    });
    expect(figure.ratio).toBeUndefined();
    expect(figure.met).toBe(false);
  });

  it('checks floors and ceilings on the value itself', () => {
    expect(
      evaluate({ id: 'c', name: 'checks', value: 1_000_000, unit: 'numbers/s', target: { kind: 'min', at: 1_000_000 } })
        .met,
    ).toBe(true);
    expect(evaluate({ id: 'd', name: 'p99', value: 2, unit: 'ms', target: { kind: 'max', at: 2 } }).met).toBe(false);
    expect(evaluate({ id: 'd', name: 'p99', value: 1.2, unit: 'ms', target: { kind: 'max', at: 2 } }).met).toBe(true);
    expect(evaluate({ id: 'd', name: 'p99', value: Number.NaN, unit: 'ms', target: { kind: 'max', at: 2 } }).met).toBe(
      false,
    );
    expect(evaluate({ id: 'a', name: 'raw', value: 5, unit: 'events/s' }).met).toBeUndefined();
  });

  it('prints the table with its columns aligned', () => {
    const lines = formatTable([
      evaluate({ id: 'a', name: 'raw stream', value: 514_000, unit: 'events/s' }),
      evaluate({
        id: 'b',
        name: 'carrier',
        value: 91_000,
        unit: 'events/s',
        reference: 514_000,
        target: { kind: 'ratio', at: 0.5 },
      }),
      evaluate({ id: 'd', name: 'p99', value: 0.84, unit: 'ms', target: { kind: 'max', at: 2 } }),
    ]);
    expect(lines[0]).toMatch(/^figure\s+value\s+reference\s+ratio\s+target\s+result$/);
    expect(lines[3]).toContain('(b) carrier');
    expect(lines[3]).toContain('91,000 events/s');
    expect(lines[3]).toContain('0.18');
    expect(lines[3]).toMatch(/ratio ≥ 0.5\s+MISSED$/);
    expect(lines[4]).toMatch(/< 2 ms\s+met$/);
  });

  it('formats numbers and targets for people', () => {
    expect(formatNumber(1234567.8)).toBe('1,234,568');
    expect(formatNumber(0.04567)).toBe('0.0457');
    expect(formatNumber(Number.NaN)).toBe('n/a');
    expect(describeTarget({ kind: 'min', at: 1_000_000 }, 'numbers/s')).toBe('≥ 1,000,000 numbers/s');
    expect(describeTarget(undefined, 'ms')).toBe('');
  });
});

describe('load shapes', () => {
  it('spreads a fixed rate over h2load clients of at most 500 requests/s', () => {
    expect(clientsForRate(1000)).toEqual({ clients: 2, rpsPerClient: 500 });
    expect(clientsForRate(5000)).toEqual({ clients: 10, rpsPerClient: 500 });
    expect(clientsForRate(300)).toEqual({ clients: 1, rpsPerClient: 300 });
  });

  it('draws CheckNumbers batches from the seeded numbers and a tenth beyond them, reproducibly', () => {
    const request = checkRequest(1000, 500);
    expect(request.msisdns).toHaveLength(500);
    expect(request.msisdns).toEqual(checkRequest(1000, 500).msisdns);
    const indexes = request.msisdns.map((m) => Number(m.slice(6)));
    expect(Math.min(...indexes)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...indexes)).toBeLessThanOrEqual(1100);
    expect(indexes.some((i) => i > 1000)).toBe(true);
    expect(seededNumber(42)).toBe('+8617100000042');
  });

  it('measures v1, v2 packed and v2 strings on the same numbers, the packed ones as E.164 digits', () => {
    const request = checkRequest(1000, 3);
    expect(packedRequest(request).e164).toEqual(request.msisdns.map((m) => Number(m.replace('+', ''))));
    const versions = checkVersions(request);
    expect(versions.map((v) => [v.label, v.service, v.size])).toEqual([
      ['v1', 'fraud.registry.v1.RegistryService', 3],
      ['v2 packed', 'fraud.registry.v2.RegistryService', 3],
      ['v2 strings', 'fraud.registry.v2.RegistryService', 3],
    ]);
    // Each request encodes with its own version's serializer (what h2load sends).
    for (const v of versions)
      expect(encodeRequest(v.protoFile, v.service, 'CheckNumbers', v.request).length).toBeGreaterThan(0);
  });
});

describe(benchSettings.name, () => {
  it('has the documented defaults', () => {
    const settings = benchSettings({});
    expect([...settings.only]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(settings).toMatchObject({
      subscribers: 100_000,
      days: 2,
      listed: 1_000_000,
      callRates: [1000, 5000],
      restoreNumbers: 100,
    });
  });

  it('reads BENCH_* variables and refuses bad ones', () => {
    expect(benchSettings({ BENCH_ONLY: 'a, B', BENCH_LISTED: '5000', BENCH_CALL_RATES: '200' })).toMatchObject({
      only: new Set(['a', 'b']),
      listed: 5000,
      callRates: [200],
    });
    expect(() => benchSettings({ BENCH_ONLY: 'a,z' })).toThrow('BENCH_ONLY');
    expect(() => benchSettings({ BENCH_LISTED: 'many' })).toThrow('BENCH_LISTED');
    expect(() => benchSettings({ BENCH_CALL_RATES: '10,fast' })).toThrow('BENCH_CALL_RATES');
  });
});
