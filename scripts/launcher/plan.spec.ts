import { ConfigError } from '@app/config';
import { carrierShards, launchPlan } from './plan';

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

  it('runs one plain process per carrier, with no shard variable, when CARRIER_SHARDS is unset or empty', () => {
    for (const env of [{}, { CARRIER_SHARDS: '' }, { NATS_URL: 'nats://10.0.0.9:4222' }]) {
      const carriers = launchPlan(env)[2];
      expect(carriers.map((c) => [c.name, c.port, c.metrics.port])).toEqual([
        ['carrier-cmcc', 50061, 9471],
        ['carrier-cucc', 50062, 9472],
        ['carrier-ctcc', 50063, 9473],
      ]);
      for (const c of carriers) {
        expect(c.shard).toBeUndefined();
        expect(Object.keys({ ...c.env, ...c.localEnv }).sort()).toEqual([
          'ADMIN_ADDRESS',
          'CARRIER_ID',
          'GRPC_PORT',
          'METRICS_PORT',
          'REGISTRY_ADDRESS',
        ]);
      }
    }
  });
});

describe('launchPlan with CARRIER_SHARDS', () => {
  it('runs each carrier as N shard processes, shard k on the carrier’s gRPC and metrics ports + 100·k', () => {
    const tiers = launchPlan({ CARRIER_IDS: 'CMCC,CUCC', CARRIER_SHARDS: '3' });
    expect(tiers.slice(0, 2).map((tier) => tier.map((s) => s.name))).toEqual([['registry'], ['admin']]);
    expect(tiers[2].map((s) => [s.name, s.port, s.metrics.port, s.shard?.carrier, s.shard?.index])).toEqual([
      ['carrier-cmcc/0', 50061, 9471, 'CMCC', 0],
      ['carrier-cmcc/1', 50161, 9571, 'CMCC', 1],
      ['carrier-cmcc/2', 50261, 9671, 'CMCC', 2],
      ['carrier-cucc/0', 50062, 9472, 'CUCC', 0],
      ['carrier-cucc/1', 50162, 9572, 'CUCC', 1],
      ['carrier-cucc/2', 50262, 9672, 'CUCC', 2],
    ]);
  });

  it('passes each shard its carrier, ports, NATS_URL, CARRIER_SHARDS, CARRIER_SHARD and every shard’s address', () => {
    const carriers = launchPlan({ CARRIER_IDS: 'CMCC,CTCC', CARRIER_SHARDS: '2' })[2];
    expect(carriers.map((s) => ({ ...s.env, ...s.localEnv }))).toEqual([
      {
        CARRIER_ID: 'CMCC',
        GRPC_PORT: '50061',
        METRICS_PORT: '9471',
        NATS_URL: 'nats://127.0.0.1:4222',
        CARRIER_SHARDS: '2',
        CARRIER_SHARD: '0',
        CARRIER_SHARD_ADDRESSES: '127.0.0.1:50061,127.0.0.1:50161',
        REGISTRY_ADDRESS: '127.0.0.1:50051',
        ADMIN_ADDRESS: '127.0.0.1:50052',
      },
      {
        CARRIER_ID: 'CMCC',
        GRPC_PORT: '50161',
        METRICS_PORT: '9571',
        NATS_URL: 'nats://127.0.0.1:4222',
        CARRIER_SHARDS: '2',
        CARRIER_SHARD: '1',
        CARRIER_SHARD_ADDRESSES: '127.0.0.1:50061,127.0.0.1:50161',
        REGISTRY_ADDRESS: '127.0.0.1:50051',
        ADMIN_ADDRESS: '127.0.0.1:50052',
      },
      {
        CARRIER_ID: 'CTCC',
        GRPC_PORT: '50063',
        METRICS_PORT: '9473',
        NATS_URL: 'nats://127.0.0.1:4222',
        CARRIER_SHARDS: '2',
        CARRIER_SHARD: '0',
        CARRIER_SHARD_ADDRESSES: '127.0.0.1:50063,127.0.0.1:50163',
        REGISTRY_ADDRESS: '127.0.0.1:50051',
        ADMIN_ADDRESS: '127.0.0.1:50052',
      },
      {
        CARRIER_ID: 'CTCC',
        GRPC_PORT: '50163',
        METRICS_PORT: '9573',
        NATS_URL: 'nats://127.0.0.1:4222',
        CARRIER_SHARDS: '2',
        CARRIER_SHARD: '1',
        CARRIER_SHARD_ADDRESSES: '127.0.0.1:50063,127.0.0.1:50163',
        REGISTRY_ADDRESS: '127.0.0.1:50051',
        ADMIN_ADDRESS: '127.0.0.1:50052',
      },
    ]);
  });

  it('puts shard 0 on the carrier’s own port and address, with the carrier’s variables and one shared database', () => {
    const plain = launchPlan({ CARRIER_IDS: 'CUCC', CARRIER_CUCC_PORT: '7003', CARRIER_CUCC_METRICS_PORT: '8003' })[2];
    const sharded = launchPlan({
      CARRIER_IDS: 'CUCC',
      CARRIER_CUCC_PORT: '7003',
      CARRIER_CUCC_METRICS_PORT: '8003',
      CARRIER_SHARDS: '4',
    })[2];
    expect(sharded[0]).toMatchObject({ port: plain[0].port, metrics: plain[0].metrics });
    expect(sharded.map((s) => [s.port, s.metrics.port])).toEqual([
      [7003, 8003],
      [7103, 8103],
      [7203, 8203],
      [7303, 8303],
    ]);
    const addresses = sharded[0].localEnv.CARRIER_SHARD_ADDRESSES!.split(',');
    expect(addresses).toEqual(['127.0.0.1:7003', '127.0.0.1:7103', '127.0.0.1:7203', '127.0.0.1:7303']);
    for (const s of sharded) {
      expect(s.localEnv.CARRIER_SHARD_ADDRESSES).toBe(addresses.join(','));
      expect(addresses[s.shard!.index]).toBe(`127.0.0.1:${s.port}`);
      expect(s).toMatchObject({
        app: 'carrier',
        portVariable: 'CARRIER_CUCC_PORT',
        metrics: { portVariable: 'CARRIER_CUCC_METRICS_PORT' },
        database: { service: 'carrier', instance: 'CUCC' },
        shard: { carrier: 'CUCC', count: 4, natsUrl: 'nats://127.0.0.1:4222' },
      });
    }
  });

  it('passes NATS_URL as set, and gives the shards’ addresses on GRPC_HOST as a client reaches it', () => {
    const [shard0] = launchPlan({ CARRIER_IDS: 'CMCC', CARRIER_SHARDS: '2', NATS_URL: 'nats://10.0.0.9:4333' })[2];
    expect(shard0.env.NATS_URL).toBe('nats://10.0.0.9:4333');
    expect(launchPlan({ CARRIER_IDS: 'CMCC', CARRIER_SHARDS: '2', GRPC_HOST: '::' })[2][1].localEnv).toMatchObject({
      CARRIER_SHARD_ADDRESSES: '[::1]:50061,[::1]:50161',
    });
    expect(
      launchPlan({ CARRIER_IDS: 'CMCC', CARRIER_SHARDS: '1' })[2].map((s) => [s.name, s.env.CARRIER_SHARD]),
    ).toEqual([['carrier-cmcc/0', '0']]);
  });

  it('refuses a CARRIER_SHARDS that is not 1 to 64, saying what it is', () => {
    for (const value of ['0', '65', 'x', '-1', '2.5'])
      expect(() => launchPlan({ CARRIER_SHARDS: value })).toThrow(
        new ConfigError(
          'CARRIER_SHARDS',
          `"${value}" is not a number of shards per carrier (1 to 64); unset it to run one process per carrier`,
        ),
      );
    expect(carrierShards({ CARRIER_SHARDS: '64' })).toBe(64);
    expect(carrierShards({})).toBeUndefined();
  });

  it('refuses shard ports beyond 65535 or taken by another service, naming the variable', () => {
    expect(() => launchPlan({ CARRIER_IDS: 'CMCC', CARRIER_SHARDS: '3', CARRIER_CMCC_PORT: '65500' })).toThrow(
      new ConfigError(
        'CARRIER_CMCC_PORT',
        '65500 + 100·1 for shard 1 of CMCC (CARRIER_SHARDS=3) is beyond port 65535: ' +
          'lower CARRIER_CMCC_PORT or CARRIER_SHARDS',
      ),
    );
    expect(() => launchPlan({ CARRIER_IDS: 'CMCC,CUCC', CARRIER_SHARDS: '2', CARRIER_CUCC_PORT: '50161' })).toThrow(
      new ConfigError('CARRIER_CUCC_PORT', "port 50161 is already carrier-cmcc/1's (CARRIER_CMCC_PORT)"),
    );
    expect(() => launchPlan({ CARRIER_SHARDS: '2', ADMIN_METRICS_PORT: '9571' })).toThrow(
      new ConfigError('CARRIER_CMCC_METRICS_PORT', "port 9571 is already admin (metrics)'s (ADMIN_METRICS_PORT)"),
    );
  });
});
