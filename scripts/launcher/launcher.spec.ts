import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { configuredDatabaseServers } from './database-check';
import { Launcher } from './launcher';
import { launchPlan } from './plan';

/** Ports free a moment ago (listened on, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
      return server;
    }),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

describe('Launcher refuses to start, starting nothing', () => {
  let root: string;
  let distRoot: string;
  let dataDir: string;
  let ports: Record<string, string>;
  const occupied: net.Server[] = [];

  beforeEach(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'launcher-'));
    dataDir = path.join(root, 'data');
    // A build whose services would never run: the launcher must stop before spawning any.
    distRoot = path.join(root, 'dist');
    for (const app of ['registry', 'admin', 'carrier']) {
      mkdirSync(path.join(distRoot, 'apps', app, 'src'), { recursive: true });
      writeFileSync(path.join(distRoot, 'apps', app, 'src', 'main.js'), 'process.exit(3);\n');
    }
    const variables = [
      'REGISTRY_PORT',
      'REGISTRY_METRICS_PORT',
      'ADMIN_PORT',
      'ADMIN_HTTP_PORT',
      'ADMIN_METRICS_PORT',
      'CARRIER_CMCC_PORT',
      'CARRIER_CMCC_METRICS_PORT',
    ];
    const free = await freePorts(variables.length);
    ports = Object.fromEntries(variables.map((v, i) => [v, String(free[i])]));
  });

  afterEach(async () => {
    await Promise.all(occupied.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
    rmSync(root, { recursive: true, force: true });
  });

  const launch = async (env: Record<string, string>): Promise<{ status: number; lines: string[] }> => {
    const lines: string[] = [];
    const status = await new Launcher({
      distRoot,
      env: { CARRIER_IDS: 'CMCC', DATA_DIR: dataDir, ...ports, ...env },
      print: (line) => lines.push(line),
    }).run();
    return { status, lines };
  };

  it('names a port in use, its service and its variable', async () => {
    const server = net.createServer();
    occupied.push(server);
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const taken = (server.address() as net.AddressInfo).port;

    const { status, lines } = await launch({ ADMIN_METRICS_PORT: String(taken) });

    expect(status).toBe(1);
    expect(lines).toEqual([
      `launcher     | port ${taken} (admin metrics, ADMIN_METRICS_PORT) is in use: ` +
        'stop the other stack or set ADMIN_METRICS_PORT',
    ]);
    // Nothing started: no data folder, no key, no database, no service.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('names DATABASE_URL, its host and port (no password) and the reason, once, when its server is down', async () => {
    const [closed] = await freePorts(1);

    const { status, lines } = await launch({ DATABASE_URL: `postgres://owner:s3cret@127.0.0.1:${closed}/postgres` });

    expect(status).toBe(1);
    expect(lines).toEqual([
      `launcher     | DATABASE_URL points at 127.0.0.1:${closed}, which cannot be reached ` +
        `(connect ECONNREFUSED 127.0.0.1:${closed}): ` +
        'start that PostgreSQL server, fix DATABASE_URL, or unset it to use the embedded one',
    ]);
    expect(lines.join('\n')).not.toContain('s3cret');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('names NATS_URL, its host and port (no password) and the reason when the shards’ NATS is down', async () => {
    const [closed] = await freePorts(1);

    const { status, lines } = await launch({
      CARRIER_SHARDS: '2',
      NATS_URL: `nats://fraud:s3cret@127.0.0.1:${closed}`,
    });

    expect(status).toBe(1);
    expect(lines).toEqual([
      `launcher       | NATS_URL points at 127.0.0.1:${closed}, which cannot be reached ` +
        `(connect ECONNREFUSED 127.0.0.1:${closed}): CARRIER_SHARDS runs each carrier as shards over NATS ` +
        'JetStream: start a NATS server with JetStream (nats-server -js; .ci/run starts one), fix NATS_URL, ' +
        'or unset CARRIER_SHARDS for one process per carrier',
    ]);
    expect(lines.join('\n')).not.toContain('s3cret');
    // Nothing started: no data folder, no key, no database, no service.
    expect(existsSync(dataDir)).toBe(false);
  });

  it('checks no NATS without CARRIER_SHARDS', async () => {
    const [closed] = await freePorts(1);
    // The next check (the database) fails instead: NATS was not asked.
    const { lines } = await launch({
      NATS_URL: `nats://127.0.0.1:${closed}`,
      DATABASE_URL: `postgres://owner@127.0.0.1:${closed}/postgres`,
    });
    expect(lines).toEqual([expect.stringMatching(/^launcher +\| DATABASE_URL points at /)]);
  });

  it('checks the ports of every shard, naming the shard', async () => {
    // A taken port 100 above a free one: shard 1 of a carrier whose port is the free one.
    let taken = 0;
    for (let attempt = 0; attempt < 20 && taken === 0; attempt++) {
      const server = net.createServer();
      await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
      const port = (server.address() as net.AddressInfo).port;
      const below = net.createServer();
      const free = await new Promise<boolean>((resolve) => {
        below.once('error', () => resolve(false));
        below.listen({ host: '127.0.0.1', port: port - 100 }, () => below.close(() => resolve(true)));
      });
      if (free) {
        occupied.push(server);
        taken = port;
      } else await new Promise((resolve) => server.close(resolve));
    }
    expect(taken).toBeGreaterThan(0);

    const { status, lines } = await launch({ CARRIER_SHARDS: '2', CARRIER_CMCC_PORT: String(taken - 100) });

    expect(status).toBe(1);
    expect(lines).toEqual([
      `launcher       | port ${taken} (carrier-cmcc/1 gRPC, CARRIER_CMCC_PORT) is in use: ` +
        'stop the other stack or set CARRIER_CMCC_PORT',
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a CARRIER_SHARDS out of 1 to 64, saying so', async () => {
    for (const value of ['0', '65', 'x']) {
      const { status, lines } = await launch({ CARRIER_SHARDS: value });
      expect(status).toBe(1);
      expect(lines).toEqual([
        `launcher     | configuration: CARRIER_SHARDS: "${value}" is not a number of shards per carrier (1 to 64); ` +
          'unset it to run one process per carrier',
      ]);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it("names a service's own database variable when that one is down", async () => {
    const [closed] = await freePorts(1);
    const { status, lines } = await launch({
      CARRIER_CMCC_DATABASE_URL: `postgres://owner@localhost:${closed}/fraud_carrier_cmcc`,
      // Left to the embedded server: not probed, and not started either since the check fails first.
    });
    expect(status).toBe(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^launcher +\\| CARRIER_CMCC_DATABASE_URL points at localhost:${closed}, which cannot be reached \\(`),
    );
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe(configuredDatabaseServers.name, () => {
  const plan = launchPlan({ CARRIER_IDS: 'CMCC,CUCC' });

  it('lists each configured server once, under the variable that names it', () => {
    expect(
      configuredDatabaseServers(plan, {
        DATABASE_URL: 'postgres://a@db:5432/x',
        CARRIER_CUCC_DATABASE_URL: 'postgres://b@other:5433/fraud_carrier_cucc',
      }),
    ).toEqual([
      { variable: 'DATABASE_URL', url: 'postgres://a@db:5432/x' },
      { variable: 'CARRIER_CUCC_DATABASE_URL', url: 'postgres://b@other:5433/fraud_carrier_cucc' },
    ]);
  });

  it('lists none when every service uses the embedded server', () => {
    expect(configuredDatabaseServers(plan, {})).toEqual([]);
  });
});
