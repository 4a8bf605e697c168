import { healthCheck, TcpProxy, until } from '@app/testing';
import { AdminHarness } from './admin-harness';

describe('admin health follows its database (e2e, database behind a proxy that is cut)', () => {
  let proxy: TcpProxy;
  let admin: AdminHarness;

  beforeAll(async () => {
    proxy = await TcpProxy.toTestDatabaseServer();
    admin = await AdminHarness.start({
      env: { DATABASE_HEALTH_INTERVAL_MS: '200', DATABASE_HEALTH_TIMEOUT_MS: '1000' },
      reach: (url) => proxy.through(url),
    });
  });
  afterAll(async () => {
    await proxy.restore();
    await admin.close();
    await proxy.close();
  });

  it('NOT_SERVING (gRPC and GET /health) while its database is unreachable, SERVING once it is back', async () => {
    expect(await healthCheck(admin.address, 'fraud.admin.v1.AdminService')).toBe('SERVING');
    await proxy.cut();
    await until(async () => (await healthCheck(admin.address, '')) === 'NOT_SERVING', 'NOT_SERVING');
    expect(await healthCheck(admin.address, 'fraud.admin.v1.AdminService')).toBe('NOT_SERVING');
    const down = await fetch(admin.healthUrl);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      service: 'admin',
      status: 'NOT_SERVING',
      dependencies: { database: { status: 'NOT_SERVING', critical: true } },
    });
    await proxy.restore();
    await until(async () => (await healthCheck(admin.address, '')) === 'SERVING', 'SERVING again');
    expect(await healthCheck(admin.address, 'fraud.admin.v1.AdminService')).toBe('SERVING');
    expect((await fetch(admin.healthUrl)).status).toBe(200);
  });
});
