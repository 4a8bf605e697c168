import { healthCheck, sampleOf, scrapeMetrics, TcpProxy, until } from '@app/testing';
import { numbers, RegistryHarness } from './registry-harness';

const ENTRIES = ['', 'fraud.registry.v1.RegistryService', 'dependency/database'];

describe('registry health follows its database (e2e, database behind a proxy that is cut)', () => {
  let proxy: TcpProxy;
  let registry: RegistryHarness;

  beforeAll(async () => {
    proxy = await TcpProxy.toTestDatabaseServer();
    registry = await RegistryHarness.start({
      env: { DATABASE_HEALTH_INTERVAL_MS: '200', DATABASE_HEALTH_TIMEOUT_MS: '1000' },
      reach: (url) => proxy.through(url),
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await registry.close();
    await proxy.close();
  });

  const statuses = () => Promise.all(ENTRIES.map((entry) => healthCheck(registry.address, entry)));

  it('SERVING with its database, NOT_SERVING while it is unreachable, SERVING again once it is back', async () => {
    expect(await statuses()).toEqual(['SERVING', 'SERVING', 'SERVING']);
    const healthy = await fetch(registry.healthUrl);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({
      service: 'registry',
      status: 'SERVING',
      dependencies: { database: { status: 'SERVING', critical: true } },
    });

    await proxy.cut();
    await until(async () => (await healthCheck(registry.address, '')) === 'NOT_SERVING', 'NOT_SERVING');
    expect(await statuses()).toEqual(['NOT_SERVING', 'NOT_SERVING', 'NOT_SERVING']);
    const down = await fetch(registry.healthUrl);
    expect(down.status).toBe(503);
    const report = (await down.json()) as {
      status: string;
      dependencies: { database: { status: string; detail: string } };
    };
    expect(report).toMatchObject({ status: 'NOT_SERVING', dependencies: { database: { status: 'NOT_SERVING' } } });
    expect(report.dependencies.database.detail).toMatch(/^no answer: /);
    expect(sampleOf(await scrapeMetrics(registry.metricsUrl), 'fraud_dependency_up', { dependency: 'database' })).toBe(
      0,
    );

    await proxy.restore();
    await until(async () => (await healthCheck(registry.address, '')) === 'SERVING', 'SERVING again');
    expect(await statuses()).toEqual(['SERVING', 'SERVING', 'SERVING']);
    expect(sampleOf(await scrapeMetrics(registry.metricsUrl), 'fraud_dependency_up', { dependency: 'database' })).toBe(
      1,
    );
    // And it works again: an audited read needs the database.
    const [msisdn] = numbers(1, 9300);
    await until(
      () =>
        registry
          .client('police')
          .getNumberRecord({ msisdn, purpose: 'after the outage' })
          .then(
            () => true,
            () => false,
          ),
      'a record read to succeed',
    );
  });
});
