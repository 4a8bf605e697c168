import { Metadata, status as GrpcCode, type ServiceError } from '@grpc/grpc-js';
import type { CarrierEvent } from '@app/domain';
import { DEFAULT_REQUEST_REST_MS, requestContextEnabled, setRequestRestMs } from '@app/observability';
import { parseExposition, sampleOf, scrapeMetrics, until } from '@app/testing';
import { newNumberBurst } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';

describe('carrier observability (metrics over HTTP, request ids)', () => {
  let carrier: CarrierHarness;
  let client: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    client = carrier.client();
  });
  afterAll(() => carrier.close());

  const ingestible = (events: CarrierEvent[]) => events.filter((e) => e.type !== 'high_risk_cell');
  const checkCall = {
    grpc_service: 'fraud.carrier.v1.CarrierService',
    grpc_method: 'CheckCall',
    service: 'carrier-ctcc',
  };

  it('counts events by type, decisions by action and reason, calls by code, and reads the outbox backlog', async () => {
    const fraud = newNumberBurst();
    const events = ingestible(fraud.events);
    const answer = await ingest(client, toWire(events, 100, 'obs'));
    expect(answer.decisions).toBeGreaterThan(0);
    await ingest(client, toWire(events.slice(0, 5), 100, 'obs')); // the same ids again: duplicates
    await client.checkCall({ caller: fraud.subject, callee: '13800000000' });
    await expect(client.checkCall({ caller: 'not a number', callee: '13800000000' })).rejects.toMatchObject({
      code: GrpcCode.INVALID_ARGUMENT,
    });

    const text = await scrapeMetrics(carrier.metricsUrl);
    const series = parseExposition(text);
    const calls = events.filter((e) => e.type === 'call').length;
    expect(sampleOf(series, 'fraud_events_ingested_total', { carrier: 'CTCC', type: 'call' })).toBe(
      calls + events.slice(0, 5).filter((e) => e.type === 'call').length,
    );
    expect(sampleOf(series, 'fraud_events_ingested_total', { carrier: 'CTCC', type: 'subscriber' })).toBeGreaterThan(0);
    expect(sampleOf(series, 'fraud_events_rejected_total', { carrier: 'CTCC', reason: 'duplicate' })).toBe(5);
    expect(
      sampleOf(series, 'fraud_decisions_total', { carrier: 'CTCC', action: 'RESTRICT', shadow: 'false' }),
    ).toBeGreaterThan(0);
    expect(
      sampleOf(series, 'fraud_decisions_total', { carrier: 'CTCC', action: 'RESTRICT', reason: 'LOW_ANSWER_RATE' }),
    ).toBeGreaterThan(0);
    // Without REGISTRY_ADDRESS nothing is delivered: the flags wait.
    expect(sampleOf(series, 'fraud_outbox_pending', { carrier: 'CTCC', destination: 'REGISTRY' })).toBeGreaterThan(0);
    expect(
      sampleOf(series, 'fraud_outbox_oldest_pending_age_seconds', { carrier: 'CTCC', destination: 'REGISTRY' }),
    ).toBeGreaterThanOrEqual(0);

    expect(sampleOf(series, 'grpc_server_handled_total', { ...checkCall, grpc_type: 'unary', grpc_code: 'OK' })).toBe(
      1,
    );
    expect(sampleOf(series, 'grpc_server_handled_total', { ...checkCall, grpc_code: 'INVALID_ARGUMENT' })).toBe(1);
    expect(
      sampleOf(series, 'grpc_server_handled_total', {
        grpc_method: 'IngestEvents',
        grpc_type: 'client_stream',
        grpc_code: 'OK',
      }),
    ).toBe(2);
    // Cumulative buckets: +Inf holds every call, and no bucket holds more than the next.
    const buckets = series.filter(
      (s) => s.name === 'grpc_server_handling_seconds_bucket' && s.labels.grpc_method === 'CheckCall',
    );
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(2);
    expect(buckets.map((b) => b.labels.le)).toEqual([
      '0.00025',
      '0.0005',
      '0.001',
      '0.0025',
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.1',
      '0.25',
      '0.5',
      '1',
      '2.5',
      '5',
      '10',
      '+Inf',
    ]);
    buckets.slice(1).forEach((b, i) => expect(b.value).toBeGreaterThanOrEqual(buckets[i]!.value));
    expect(sampleOf(series, 'nodejs_eventloop_lag_seconds', {})).toBeGreaterThanOrEqual(0);
  });

  it('answers a stream call with the caller’s request id in its headers', async () => {
    const metadata = new Metadata();
    metadata.set('x-request-id', 'ingest-run-7');
    const headers = await new Promise<Metadata>((resolve, reject) => {
      const call = (
        client.raw as unknown as {
          ingestEvents(
            m: Metadata,
            cb: (e: ServiceError | null) => void,
          ): { write(m: unknown): boolean; end(): void; on(event: 'metadata', l: (m: Metadata) => void): void };
        }
      ).ingestEvents(metadata, (error) => (error ? reject(error) : undefined));
      call.on('metadata', resolve);
      // An empty stream (no message at all) is answered; an empty message would be refused.
      call.end();
    });
    expect(headers.get('x-request-id')).toEqual(['ingest-run-7']);
  });

  it('ingests and answers call setup with its AsyncLocalStorages at rest; another call wakes one a while', async () => {
    // While a storage is enabled, Node runs its hooks on every async operation of the process, CheckCall's included.
    const storages = async () => {
      const text = await scrapeMetrics(carrier.metricsUrl);
      return ['request', 'transaction'].map((storage) => sampleOf(text, 'nodejs_async_context_enabled', { storage }));
    };
    setRequestRestMs(300);
    try {
      await until(async () => (await storages()).every((on) => on === 0), 'both storages at rest', 5_000);
      const fraud = newNumberBurst();
      const seen: boolean[] = [];
      const call = client.ingestEvents();
      for (const events of toWire(ingestible(fraud.events), 100, 'rest')) {
        await call.write({ events });
        seen.push(requestContextEnabled());
      }
      call.end();
      expect((await call.response).accepted).toBeGreaterThan(0);
      seen.push(requestContextEnabled());
      await client.checkCall({ caller: fraud.subject, callee: '13800000000' });
      seen.push(requestContextEnabled());
      expect(seen.every((on) => !on)).toBe(true);
      // The writes the stream waited for have committed: no transaction holds the guard's storage on.
      await until(async () => (await storages()).every((on) => on === 0), 'both storages at rest again', 5_000);

      // Any other call is served in the request context, which then rests once nothing has used it for a while.
      await client.explainNumber({ msisdn: fraud.subject }).catch(() => undefined);
      expect(await storages()).toEqual([1, 0]);
      await until(async () => (await storages())[0] === 0, 'the request storage at rest', 5_000);
    } finally {
      setRequestRestMs(DEFAULT_REQUEST_REST_MS);
    }
  });

  it('serves nothing but /metrics', async () => {
    const other = await fetch(carrier.metricsUrl.replace('/metrics', '/'));
    expect(other.status).toBe(404);
  });
});
