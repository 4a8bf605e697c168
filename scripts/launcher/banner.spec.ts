import { banner, maskPassword, READY_LINE } from './banner';

describe(maskPassword.name, () => {
  it('hides the password and keeps the rest', () => {
    expect(maskPassword('postgres://fraud:s3cret@127.0.0.1:54329/postgres?sslmode=disable')).toBe(
      'postgres://fraud:*****@127.0.0.1:54329/postgres?sslmode=disable',
    );
    expect(maskPassword('postgres://fraud@db:5432/postgres')).toBe('postgres://fraud@db:5432/postgres');
  });

  it('never echoes what it cannot parse', () => {
    expect(maskPassword('//fraud:s3cret@nowhere')).toBe('(unparsable URL)');
  });
});

describe(banner.name, () => {
  const lines = banner({
    endpoints: [
      { name: 'registry', address: '127.0.0.1:50051', pid: 101 },
      { name: 'carrier-cmcc', address: '127.0.0.1:50061', pid: 102 },
    ],
    database: 'postgres://fraud:*****@127.0.0.1:54329/postgres (embedded)',
    dataDir: '/srv/fraud/.data',
    tokens: [{ variable: 'POLICE_TOKEN', role: 'police', token: 'aaa.bbb.ccc' }],
    tokenTtlHours: 12,
  });

  it('lists every endpoint with its pid, the database and the data folder', () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        '   registry      127.0.0.1:50051  (pid 101)',
        '   carrier-cmcc  127.0.0.1:50061  (pid 102)',
        '   database      postgres://fraud:*****@127.0.0.1:54329/postgres (embedded)',
        '   data folder   /srv/fraud/.data',
      ]),
    );
  });

  it('gives each token as a shell export and a grpcurl call that uses one', () => {
    expect(lines).toContain('   export POLICE_TOKEN=aaa.bbb.ccc  # police');
    expect(lines).toContain(
      `   grpcurl -plaintext -H "authorization: Bearer $POLICE_TOKEN" -d '{"msisdns":["19112345678"]}' ` +
        '127.0.0.1:50051 fraud.registry.v1.RegistryService/CheckNumbers',
    );
  });

  it('points at the operator CLI', () => {
    expect(lines.some((line) => line.startsWith('   npx fraudctl check 19112345678 '))).toBe(true);
    expect(lines.some((line) => line.startsWith('   npx fraudctl explain 19112345678 '))).toBe(true);
  });

  it('lists the metrics URL of each service that serves one', () => {
    const withMetrics = banner({
      endpoints: [
        { name: 'registry', address: '127.0.0.1:50051', pid: 101, metricsUrl: 'http://127.0.0.1:9461/metrics' },
        { name: 'carrier-cmcc', address: '127.0.0.1:50061', pid: 102, metricsUrl: 'http://127.0.0.1:9471/metrics' },
      ],
      database: 'postgres://fraud@db:5432/postgres',
      dataDir: '/srv/fraud/.data',
      tokens: [],
      tokenTtlHours: 12,
    });
    expect(withMetrics).toEqual(
      expect.arrayContaining([
        ' Metrics (Prometheus, no token: keep these ports internal):',
        '   registry      http://127.0.0.1:9461/metrics',
        '   carrier-cmcc  http://127.0.0.1:9471/metrics',
      ]),
    );
    // The endpoint rows still end with the pid (the e2e test reads them).
    expect(withMetrics).toContain('   registry      127.0.0.1:50051  (pid 101)');
    expect(lines.some((line) => line.startsWith(' Metrics'))).toBe(false);
  });

  it('ends with the ready line', () => {
    expect(lines.at(-2)).toBe(READY_LINE);
  });

  it('shows the dashboard’s URL and a dev administration token to sign in with, when the admin serves one', () => {
    const withDashboard = banner({
      endpoints: [{ name: 'admin', address: '127.0.0.1:50052', pid: 103 }],
      dashboard: {
        url: 'http://127.0.0.1:8080/',
        token: { variable: 'ADMIN_TOKEN', role: 'admin:sichuan', token: 'ddd.eee.fff' },
      },
      database: 'postgres://fraud@db:5432/postgres',
      dataDir: '/srv/fraud/.data',
      tokens: [{ variable: 'ADMIN_TOKEN', role: 'admin:sichuan', token: 'ddd.eee.fff' }],
      tokenTtlHours: 12,
    });
    expect(withDashboard).toEqual(
      expect.arrayContaining([
        ' Dashboard: http://127.0.0.1:8080/  (JSON API docs: http://127.0.0.1:8080/api/docs)',
        '   sign in with this admin:sichuan token (ADMIN_TOKEN below; ANALYST_TOKEN for read-only):',
        '   ddd.eee.fff',
      ]),
    );
    expect(withDashboard.at(-2)).toBe(READY_LINE);
    expect(lines.some((line) => line.includes('Dashboard'))).toBe(false);
  });

  it('says that fraudctl follows the stack file, when one was written', () => {
    const withStackFile = banner({
      endpoints: [{ name: 'registry', address: '127.0.0.1:51051', pid: 101 }],
      database: 'postgres://fraud@db:5432/postgres',
      dataDir: '.data',
      stackFile: '.data/stack.json',
      tokens: [],
      tokenTtlHours: 12,
    });
    expect(withStackFile).toContain(
      ' fraudctl follows these addresses through .data/stack.json: no port variable to export.',
    );
    expect(lines.some((line) => line.includes('stack.json'))).toBe(false);
  });

  it('lists the shard processes of each carrier, with NATS and CARRIER_SHARDS, when the carriers run as shards', () => {
    const withShards = banner({
      endpoints: [
        { name: 'registry', address: '127.0.0.1:50051', pid: 101 },
        { name: 'carrier-cmcc/0', address: '127.0.0.1:50061', pid: 102 },
        { name: 'carrier-cmcc/1', address: '127.0.0.1:50161', pid: 103 },
      ],
      shards: {
        count: 2,
        natsUrl: 'nats://127.0.0.1:4222',
        processes: [
          { name: 'carrier-cmcc/0', address: '127.0.0.1:50061', metricsPort: 9471 },
          { name: 'carrier-cmcc/1', address: '127.0.0.1:50161', metricsPort: 9571 },
        ],
      },
      database: 'postgres://fraud@db:5432/postgres',
      dataDir: '/srv/fraud/.data',
      tokens: [],
      tokenTtlHours: 12,
    });
    expect(withShards[1]).toBe(' fraud-numbers: 3 processes SERVING (plaintext gRPC: development only)');
    const at = withShards.indexOf(
      ' Carrier shards: 2 processes per carrier (CARRIER_SHARDS), over NATS at nats://127.0.0.1:4222 (NATS_URL):',
    );
    expect(at).toBeGreaterThan(0);
    expect(withShards.slice(at + 1, at + 4)).toEqual([
      '   carrier-cmcc/0  127.0.0.1:50061  metrics port 9471',
      '   carrier-cmcc/1  127.0.0.1:50161  metrics port 9571',
      "   a carrier's address (fraudctl, its peers, stack.json) is its shard 0's",
    ]);
    expect(withShards).toContain('   carrier-cmcc/1  127.0.0.1:50161  (pid 103)');
    expect(withShards.at(-2)).toBe(READY_LINE);
    // Without shards: services, and no word of them.
    expect(lines[1]).toBe(' fraud-numbers: 2 services SERVING (plaintext gRPC: development only)');
    expect(lines.some((line) => /shard|NATS/i.test(line))).toBe(false);
  });
});
