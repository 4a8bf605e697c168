import { healthCheck, sampleOf, scrapeMetrics } from '@app/testing';
import type { CarrierHarness } from './carrier-harness';
import { eventually, startProvince, type Province } from './linked-services';
import { ingest } from './carrier-harness';

interface HealthJson {
  status: string;
  dependencies: Record<string, { status: string; critical: boolean; detail: string; since: string }>;
}

describe('a carrier names a missing registry or administration as degraded, and serves on (e2e)', () => {
  let province: Province;
  let carrier: CarrierHarness;

  beforeAll(async () => {
    province = await startProvince(['CTCC']);
    carrier = province.carriers.CTCC;
  });
  afterAll(() => province.close());

  const entries = [
    '',
    'fraud.carrier.v1.CarrierService',
    'dependency/database',
    'dependency/registry',
    'dependency/admin',
  ];
  const statuses = async () =>
    Object.fromEntries(
      await Promise.all(entries.map(async (e) => [e || '(server)', await healthCheck(carrier.address, e)])),
    );
  const health = async (): Promise<{ code: number; body: HealthJson }> => {
    const response = await fetch(carrier.healthUrl);
    return { code: response.status, body: (await response.json()) as HealthJson };
  };
  const gauge = async (dependency: string) =>
    sampleOf(await scrapeMetrics(carrier.metricsUrl), 'fraud_dependency_up', { dependency });
  const ingestOne = (i: number) =>
    ingest(carrier.client(), [
      [
        {
          id: `dep-${i}`,
          atMs: Date.now(),
          call: {
            caller: '19100000001',
            callee: `1910000${String(2000 + i)}`,
            durationSec: 30,
            answered: true,
            cell: '',
          },
        },
      ] as never,
    ]);

  it('with everything up: every entry SERVING, and GET /health says so with a detail per dependency', async () => {
    const all = await eventually(statuses, (s) => Object.values(s).every((v) => v === 'SERVING'));
    expect(all).toEqual({
      '(server)': 'SERVING',
      'fraud.carrier.v1.CarrierService': 'SERVING',
      'dependency/database': 'SERVING',
      'dependency/registry': 'SERVING',
      'dependency/admin': 'SERVING',
    });
    const { code, body } = await health();
    expect(code).toBe(200);
    expect(body).toMatchObject({
      status: 'SERVING',
      dependencies: {
        database: { status: 'SERVING', critical: true },
        registry: { status: 'SERVING', critical: false },
        admin: { status: 'SERVING', critical: false },
      },
    });
    expect(await gauge('registry')).toBe(1);
  });

  it('registry down: dependency/registry NOT_SERVING with why, carrier SERVING, ingesting; back with it', async () => {
    await province.registry.stop();
    await eventually(
      () => healthCheck(carrier.address, 'dependency/registry'),
      (s) => s === 'NOT_SERVING',
    );
    expect(await statuses()).toMatchObject({
      '(server)': 'SERVING',
      'fraud.carrier.v1.CarrierService': 'SERVING',
      'dependency/registry': 'NOT_SERVING',
      'dependency/admin': 'SERVING',
    });
    const { code, body } = await health();
    expect(code).toBe(200);
    expect(body.status).toBe('SERVING');
    expect(body.dependencies.registry.status).toBe('NOT_SERVING');
    expect(body.dependencies.registry.detail).toMatch(
      new RegExp(`cannot connect to ${province.registry.address}|WatchChanges: UNAVAILABLE`),
    );
    expect(await gauge('registry')).toBe(0);
    expect(await ingestOne(1)).toMatchObject({ accepted: 1 });

    await province.registry.boot();
    await eventually(
      () => healthCheck(carrier.address, 'dependency/registry'),
      (s) => s === 'SERVING',
    );
    expect((await health()).body.dependencies.registry.status).toBe('SERVING');
  });

  it('administration stopped: dependency/admin NOT_SERVING, the carrier SERVING and ingesting', async () => {
    await province.admin.stop();
    await eventually(
      () => healthCheck(carrier.address, 'dependency/admin'),
      (s) => s === 'NOT_SERVING',
    );
    expect(await statuses()).toMatchObject({
      '(server)': 'SERVING',
      'fraud.carrier.v1.CarrierService': 'SERVING',
      'dependency/admin': 'NOT_SERVING',
    });
    const { body } = await health();
    expect(body.dependencies.admin.detail).toMatch(
      new RegExp(`cannot connect to ${province.admin.address}|StreamDirectives: UNAVAILABLE`),
    );
    expect(await ingestOne(2)).toMatchObject({ accepted: 1 });
    await province.admin.boot();
    await eventually(
      () => healthCheck(carrier.address, 'dependency/admin'),
      (s) => s === 'SERVING',
    );
  });
});
