import { ConfigError } from '@app/config';
import { launchPlan } from './plan';

describe(launchPlan.name, () => {
  it('runs registry, then admin, then the three national carriers, on their default ports', () => {
    const tiers = launchPlan({});
    expect(tiers.map((tier) => tier.map((s) => [s.name, s.port]))).toEqual([
      [['registry', 50051]],
      [['admin', 50052]],
      [
        ['carrier-cmcc', 50061],
        ['carrier-cucc', 50062],
        ['carrier-ctcc', 50063],
      ],
    ]);
  });

  it('gives each service its port and carrier id, and names its database', () => {
    const [[registry], [admin], [cmcc]] = launchPlan({});
    expect(registry).toMatchObject({ app: 'registry', env: { GRPC_PORT: '50051' }, database: { service: 'registry' } });
    expect(admin).toMatchObject({ app: 'admin', env: { GRPC_PORT: '50052' }, database: { service: 'admin' } });
    expect(cmcc).toMatchObject({
      app: 'carrier',
      env: { GRPC_PORT: '50061', CARRIER_ID: 'CMCC' },
      database: { service: 'carrier', instance: 'CMCC' },
    });
  });

  it('points each carrier at the registry and admin it starts (REGISTRY_ADDRESS, ADMIN_ADDRESS) on their ports', () => {
    expect(launchPlan({})[2].map((c) => c.localEnv)).toEqual(
      [1, 2, 3].map(() => ({ REGISTRY_ADDRESS: '127.0.0.1:50051', ADMIN_ADDRESS: '127.0.0.1:50052' })),
    );
    expect(launchPlan({ REGISTRY_PORT: '7001', ADMIN_PORT: '7002' })[2][0].localEnv).toEqual({
      REGISTRY_ADDRESS: '127.0.0.1:7001',
      ADMIN_ADDRESS: '127.0.0.1:7002',
    });
  });

  it('points the admin at the registry it starts, and the registry at nothing', () => {
    const [[registry], [admin]] = launchPlan({ REGISTRY_PORT: '7001' });
    expect(admin.localEnv).toEqual({ REGISTRY_ADDRESS: '127.0.0.1:7001' });
    expect(registry.localEnv).toEqual({});
  });

  it('takes the carriers from CARRIER_IDS and ports from REGISTRY_PORT, ADMIN_PORT, CARRIER_<ID>_PORT', () => {
    const tiers = launchPlan({
      CARRIER_IDS: 'CBN,CUCC',
      REGISTRY_PORT: '7001',
      ADMIN_PORT: '7002',
      CARRIER_CUCC_PORT: '7003',
    });
    expect(tiers.flat().map((s) => [s.name, s.port])).toEqual([
      ['registry', 7001],
      ['admin', 7002],
      ['carrier-cbn', 50064],
      ['carrier-cucc', 7003],
    ]);
  });

  it('serves each service’s metrics on its own port (METRICS_PORT): registry 9461, admin 9462, carriers 947x', () => {
    const plan = launchPlan({ CARRIER_IDS: 'CMCC,CUCC,CTCC,CBN' }).flat();
    expect(plan.map((s) => [s.name, s.metrics.port, s.metrics.portVariable, s.env.METRICS_PORT])).toEqual([
      ['registry', 9461, 'REGISTRY_METRICS_PORT', '9461'],
      ['admin', 9462, 'ADMIN_METRICS_PORT', '9462'],
      ['carrier-cmcc', 9471, 'CARRIER_CMCC_METRICS_PORT', '9471'],
      ['carrier-cucc', 9472, 'CARRIER_CUCC_METRICS_PORT', '9472'],
      ['carrier-ctcc', 9473, 'CARRIER_CTCC_METRICS_PORT', '9473'],
      ['carrier-cbn', 9474, 'CARRIER_CBN_METRICS_PORT', '9474'],
    ]);
    expect(
      launchPlan({ REGISTRY_METRICS_PORT: '19461', CARRIER_CUCC_METRICS_PORT: '19472' })
        .flat()
        .map((s) => s.metrics.port),
    ).toEqual([19461, 9462, 9471, 19472, 9473]);
    expect(() => launchPlan({ ADMIN_METRICS_PORT: '9461' })).toThrow(
      new ConfigError('ADMIN_METRICS_PORT', "port 9461 is already registry (metrics)'s (REGISTRY_METRICS_PORT)"),
    );
    expect(() => launchPlan({ CARRIER_CMCC_METRICS_PORT: '50051' })).toThrow(ConfigError);
  });

  it('refuses two services on one port, naming the variable', () => {
    expect(() => launchPlan({ ADMIN_PORT: '50061' })).toThrow(
      new ConfigError('CARRIER_CMCC_PORT', "port 50061 is already admin's (ADMIN_PORT)"),
    );
    expect(() => launchPlan({ REGISTRY_PORT: 'http' })).toThrow(ConfigError);
  });

  it('serves the dashboard on ADMIN_HTTP_PORT (default 8080), given to the admin and no other service', () => {
    const admin = launchPlan({})[1][0];
    expect(admin).toMatchObject({
      env: { ADMIN_HTTP_PORT: '8080' },
      http: { port: 8080, portVariable: 'ADMIN_HTTP_PORT' },
    });
    expect(launchPlan({ ADMIN_HTTP_PORT: '9090' })[1][0]).toMatchObject({
      env: { ADMIN_HTTP_PORT: '9090' },
      http: { port: 9090 },
    });
    expect(
      launchPlan({})
        .flat()
        .filter((s) => s.http !== undefined)
        .map((s) => s.name),
    ).toEqual(['admin']);
    expect(() => launchPlan({ ADMIN_HTTP_PORT: '50061' })).toThrow(
      new ConfigError('CARRIER_CMCC_PORT', "port 50061 is already admin (HTTP)'s (ADMIN_HTTP_PORT)"),
    );
    expect(() => launchPlan({ ADMIN_HTTP_PORT: 'web' })).toThrow(ConfigError);
  });
});
