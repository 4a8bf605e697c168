import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { carrier, registry } from '@app/contracts';
import { clientStreaming, createGrpcClient, unary } from '@app/grpc';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { msisdnKey, partitionOf, UsageProfile, type Msisdn } from '@app/domain';
import { embeddedLogStream } from '../apps/carrier/src/config/log-stream';
import { toWireEvent } from '../apps/carrier/src/ingest/event.mapper';
import { freePort, healthCheck, reflect } from '@app/testing';
import { READY_LINE } from './launcher/banner';

const ROOT = path.resolve(__dirname, '..');
const START_TIMEOUT_MS = 60_000;
const REGISTRY_SERVICE = 'fraud.registry.v1.RegistryService';
const REGISTRY_PROTO = 'fraud/registry/v1/registry.proto';
const CARRIER_SERVICE = 'fraud.carrier.v1.CarrierService';
const CARRIER_PROTO = 'fraud/carrier/v1/carrier.proto';

/** `npm start` as a user runs it: the compiled launcher in a child process. */
class LauncherRun {
  readonly lines: string[] = [];
  readonly exited: Promise<number | NodeJS.Signals | null>;
  readonly child: ChildProcess;

  constructor(distRoot: string, env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, [path.join(distRoot, 'scripts', 'start.js')], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout!, this.child.stderr!])
      createInterface({ input: stream }).on('line', (line) => this.lines.push(line));
    this.exited = new Promise((resolve) => this.child.once('close', (code, signal) => resolve(code ?? signal)));
  }

  /** Resolves once the banner is out; fails with the output if the launcher exits first. */
  async ready(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    let exit: number | NodeJS.Signals | null | undefined;
    void this.exited.then((status) => (exit = status));
    while (!this.lines.includes(READY_LINE)) {
      if (exit !== undefined) throw new Error(`the launcher exited (${exit}) before its banner:\n${this.output()}`);
      if (Date.now() > deadline) throw new Error(`no banner within ${START_TIMEOUT_MS / 1000} s:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** A dev token from the banner's `export NAME=...` line. */
  token(variable: string): string {
    const line = this.lines.find((l) => l.trimStart().startsWith(`export ${variable}=`));
    if (!line) throw new Error(`no ${variable} in the banner:\n${this.output()}`);
    return line
      .trim()
      .split(/\s+/)[1]!
      .slice(variable.length + 1);
  }

  /** The services' pids, from the banner. */
  servicePids(): number[] {
    return this.lines.flatMap((l) => /\(pid (\d+)\)$/.exec(l)?.slice(1).map(Number) ?? []);
  }

  interrupt(): void {
    this.child.kill('SIGINT');
  }

  /** After a failed test: the launcher stops its services and PostgreSQL, or is killed. */
  async stop(): Promise<void> {
    this.interrupt();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(killer);
  }

  output(): string {
    return this.lines.join('\n');
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** Variables of this test run that would steer the launcher elsewhere (jest's DATABASE_URL, a developer's GRPC_*). */
function isolatedEnv(): NodeJS.ProcessEnv {
  const steering = new RegExp(
    String.raw`^(DATABASE_URL|\w+_DATABASE_URL|GRPC_\w+|AUTH_\w+|CARRIER_\w+|REGISTRY_PORT|ADMIN_PORT|` +
      String.raw`ADMIN_HTTP_\w+|\w*METRICS_\w+|LOG_\w+|EMBEDDED_PG_PORT|DATA_DIR)$`,
  );
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !steering.test(name)));
}

describe('npm start (e2e)', () => {
  let workDir: string;
  let distRoot: string;
  let dataDir: string;
  let ports: Record<
    | 'pg'
    | 'registry'
    | 'admin'
    | 'dashboard'
    | 'cmcc'
    | 'cucc'
    | 'ctcc'
    | 'registryMetrics'
    | 'adminMetrics'
    | 'cmccMetrics'
    | 'cuccMetrics'
    | 'ctccMetrics',
    number
  >;
  let launcherEnv: NodeJS.ProcessEnv;
  const runs: LauncherRun[] = [];

  const serviceAddresses = (): string[] =>
    [ports.registry, ports.admin, ports.cmcc, ports.cucc, ports.ctcc].map((port) => `127.0.0.1:${port}`);
  const launch = (env: NodeJS.ProcessEnv = {}): LauncherRun => {
    const run = new LauncherRun(distRoot, { ...launcherEnv, ...env });
    runs.push(run);
    return run;
  };

  beforeAll(async () => {
    // Under the checkout, so the build finds node_modules and proto/ as dist/ does;
    // enterable by all, for PostgreSQL's own OS user when tests run as root.
    mkdirSync(path.join(ROOT, '.data'), { recursive: true });
    workDir = mkdtempSync(path.join(ROOT, '.data', 'start-e2e-'));
    chmodSync(workDir, 0o755);
    distRoot = path.join(workDir, 'dist');
    dataDir = path.join(workDir, 'data');
    await promisify(execFile)(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', distRoot],
      { cwd: ROOT },
    );

    const taken: number[] = [];
    const next = async (): Promise<number> => {
      const port = await freePort(taken);
      taken.push(port);
      return port;
    };
    ports = {
      pg: await next(),
      registry: await next(),
      admin: await next(),
      dashboard: await next(),
      cmcc: await next(),
      cucc: await next(),
      ctcc: await next(),
    } as typeof ports;
    for (const service of ['registry', 'admin', 'cmcc', 'cucc', 'ctcc'] as const)
      ports[`${service}Metrics`] = await next();
    launcherEnv = {
      ...isolatedEnv(),
      DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(ports.pg),
      REGISTRY_PORT: String(ports.registry),
      ADMIN_PORT: String(ports.admin),
      ADMIN_HTTP_PORT: String(ports.dashboard),
      CARRIER_CMCC_PORT: String(ports.cmcc),
      CARRIER_CUCC_PORT: String(ports.cucc),
      CARRIER_CTCC_PORT: String(ports.ctcc),
      REGISTRY_METRICS_PORT: String(ports.registryMetrics),
      ADMIN_METRICS_PORT: String(ports.adminMetrics),
      CARRIER_CMCC_METRICS_PORT: String(ports.cmccMetrics),
      CARRIER_CUCC_METRICS_PORT: String(ports.cuccMetrics),
      CARRIER_CTCC_METRICS_PORT: String(ports.ctccMetrics),
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(runs.map((run) => run.stop()));
    rmSync(workDir, { recursive: true, force: true });
  });

  const flagged = { msisdn: '+8619112345678', version: 0, policeToken: '' };

  it('brings registry, admin and three carriers to SERVING on embedded PostgreSQL; SIGINT stops them all', async () => {
    const run = launch();
    await run.ready();

    for (const address of serviceAddresses()) expect(await healthCheck(address, '')).toBe('SERVING');
    expect(await healthCheck(`127.0.0.1:${ports.registry}`, REGISTRY_SERVICE)).toBe('SERVING');
    // Reflection answers from the committed buf image, which the built app finds from dist/;
    // each port lists what it serves.
    const builtin = [
      'grpc.health.v1.Health',
      'grpc.reflection.v1.ServerReflection',
      'grpc.reflection.v1alpha.ServerReflection',
    ];
    const carrierService = 'fraud.carrier.v1.CarrierService';
    const served: [number, string[]][] = [
      // The registry serves v2 (CheckNumbers in its compact form) beside v1.
      [ports.registry, [REGISTRY_SERVICE, 'fraud.registry.v2.RegistryService']],
      [ports.admin, ['fraud.admin.v1.AdminService']],
      [ports.cmcc, [carrierService]],
      [ports.cucc, [carrierService]],
      [ports.ctcc, [carrierService]],
    ];
    for (const [port, services] of served) {
      const listed = await reflect(`127.0.0.1:${port}`, { listServices: '*' });
      expect([port, listed.listServicesResponse!.service.map((s) => s.name)]).toEqual([
        port,
        [...services, ...builtin],
      ]);
    }
    expect(run.output()).toContain(`postgres://fraud:*****@127.0.0.1:${ports.pg}/postgres (embedded)`);
    expect(run.output()).not.toContain('fraud:fraud@');
    // Migrated by the owner, served by the least-privilege roles.
    expect(run.output()).toContain(
      'serving as database role fraud_app (app), fraud_audit_anchor (anchor) on fraud_registry',
    );
    expect(run.output()).toContain('serving as database role fraud_app (app) on fraud_carrier_ctcc');

    const carrier = createGrpcClient(REGISTRY_SERVICE, REGISTRY_PROTO, `127.0.0.1:${ports.registry}`, {
      token: run.token('CARRIER_TOKEN'),
    });
    try {
      const observedAt = { seconds: Math.floor(Date.now() / 1000) - 60, nanos: 0 };
      const { results } = await unary<registry.SubmitFlagsResponse>(carrier, 'submitFlags', {
        flags: [
          {
            idempotencyKey: 'start-e2e-1',
            msisdn: '19112345678',
            source: 'carrier:CMCC',
            reasonCodes: ['CALL_BURST'],
            score: 0.7,
            evidence: { summary: '26 calls to 24 numbers in 85 minutes', measures: [], cells: [] },
            observedAt,
          },
        ],
      });
      expect(results).toEqual([expect.objectContaining({ msisdn: flagged.msisdn, status: 'NUMBER_STATUS_SUSPECTED' })]);
      flagged.version = results[0]!.version;
    } finally {
      carrier.close();
    }
    flagged.policeToken = run.token('POLICE_TOKEN');

    // The admin serves the dashboard and its API over HTTP; the banner says where, with a token to sign in.
    const dashboard = `http://127.0.0.1:${ports.dashboard}/`;
    expect(run.output()).toContain(` Dashboard: ${dashboard}`);
    const index = await fetch(dashboard);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    const me = await fetch(`${dashboard}api/me`, { headers: { authorization: `Bearer ${run.token('ADMIN_TOKEN')}` } });
    expect(await me.json()).toEqual({ subject: 'dev-admin-sichuan', role: 'admin:sichuan' });

    // Every service's metrics, listed in the banner; readable log lines behind each service's prefix.
    const registryMetrics = `http://127.0.0.1:${ports.registryMetrics}/metrics`;
    expect(run.output()).toContain(`   registry      ${registryMetrics}`);
    expect(run.output()).toContain(`   carrier-ctcc  http://127.0.0.1:${ports.ctccMetrics}/metrics`);
    const scraped = await (await fetch(registryMetrics)).text();
    expect(scraped).toMatch(/^grpc_server_handled_total\{.*grpc_method="SubmitFlags".*grpc_code="OK".*\} 1$/m);
    expect(run.output()).toMatch(/^registry +\| \d{4}-\d\d-\d\dT[\d:.]+Z INFO {2}\[registry\] gRPC listening on /m);

    // What happened on the way, one short line each; then where the stack serves, for fraudctl.
    // Paths under the working folder are shown relative to it.
    const shown = (file: string): string => path.relative(process.cwd(), file);
    expect(run.output()).toContain(`launcher     | starting PostgreSQL in ${shown(path.join(dataDir, 'pg'))}…`);
    for (const [name, port] of [
      ['registry', ports.registry],
      ['carrier-ctcc', ports.ctcc],
    ] as const)
      expect(run.output()).toMatch(
        new RegExp(`^launcher +\\| ${name} SERVING on 127\\.0\\.0\\.1:${port} \\(\\d+\\.\\d s\\)$`, 'm'),
      );
    const stackFile = path.join(dataDir, 'stack.json');
    expect(JSON.parse(readFileSync(stackFile, 'utf8'))).toEqual({
      version: 1,
      pid: run.child.pid,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      tls: false,
      addresses: {
        REGISTRY_ADDRESS: `127.0.0.1:${ports.registry}`,
        ADMIN_ADDRESS: `127.0.0.1:${ports.admin}`,
        CARRIER_CMCC_ADDRESS: `127.0.0.1:${ports.cmcc}`,
        CARRIER_CUCC_ADDRESS: `127.0.0.1:${ports.cucc}`,
        CARRIER_CTCC_ADDRESS: `127.0.0.1:${ports.ctcc}`,
      },
      dashboard,
      keyDir: path.join(dataDir, 'keys'),
      caFile: null,
    });
    expect(run.output()).toContain(
      ` fraudctl follows these addresses through ${shown(stackFile)}: no port variable to export.`,
    );

    const postgresPid = Number(readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const pids = [...run.servicePids(), postgresPid];
    expect(pids).toHaveLength(6);
    run.interrupt();
    expect(await run.exited).toBe(0);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(stackFile)).toBe(false);
    for (const port of Object.values(ports)) expect(await refusesConnections(port)).toBe(true);
  }, 90_000);

  it('starts again on the same data folder with the data and signing key of the first run', async () => {
    expect(flagged.version).toBeGreaterThan(0); // set by the first run
    const run = launch();
    await run.ready();
    for (const address of serviceAddresses()) expect(await healthCheck(address, '')).toBe('SERVING');

    const police = createGrpcClient(REGISTRY_SERVICE, REGISTRY_PROTO, `127.0.0.1:${ports.registry}`, {
      token: flagged.policeToken,
    });
    try {
      const check = await unary<registry.CheckNumbersResponse>(police, 'checkNumbers', { msisdns: [flagged.msisdn] });
      expect(check.results).toEqual([
        { msisdn: flagged.msisdn, status: 'NUMBER_STATUS_SUSPECTED', version: flagged.version },
      ]);
    } finally {
      police.close();
    }
    run.interrupt();
    expect(await run.exited).toBe(0);
  }, 90_000);

  it('stops everything and exits non-zero when a service dies after start-up', async () => {
    const run = launch();
    await run.ready();
    const cuccPid = run.servicePids()[3]!; // registry, admin, carrier-cmcc, carrier-cucc, ...
    process.kill(cuccPid, 'SIGKILL');
    expect(await run.exited).toBe(1);
    expect(run.output()).toMatch(
      /launcher +\| carrier-cucc stopped unexpectedly \(killed by SIGKILL\); stopping everything; its last lines:/,
    );
    expect(run.servicePids().filter(isAlive)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('stops everything and exits non-zero with the last lines of a service that fails to start', async () => {
    // A setting only the admin validates: the registry is SERVING by the time the admin refuses it.
    const run = launch({ ADMIN_REVIEW_AFTER_REPORTS: '0' });
    expect(await run.exited).toBe(1);
    const output = run.output();
    expect(output).toMatch(/launcher +\| admin exited during start-up \(exit code 1\); its last lines:/);
    expect(output).toMatch(/launcher +\| +.*ADMIN_REVIEW_AFTER_REPORTS/);
    expect(output).not.toContain(READY_LINE);
    expect(output).toMatch(/launcher +\| registry stopped/);
    expect(output).toMatch(/launcher +\| PostgreSQL stopped/);
    expect(await refusesConnections(ports.registry)).toBe(true);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'stack.json'))).toBe(false);
  }, 90_000);

  it('refuses to start, starting nothing, when a port of the plan is taken (a second stack)', async () => {
    const blocker: Server = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => blocker.listen(ports.admin, '127.0.0.1', resolve));
    try {
      const run = launch();
      expect(await run.exited).toBe(1);
      expect(run.lines).toEqual([
        `launcher     | port ${ports.admin} (admin gRPC, ADMIN_PORT) is in use: stop the other stack or set ADMIN_PORT`,
      ]);
      expect(await refusesConnections(ports.registry)).toBe(true);
      expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  }, 90_000);

  it('runs each carrier as two shard processes with CARRIER_SHARDS=2, either answering for any number', async () => {
    const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    const run = launch({ CARRIER_SHARDS: '2', CARRIER_IDS: 'CMCC', NATS_URL: natsUrl });
    const stream = embeddedLogStream('CMCC', dataDir);
    try {
      await run.ready();
      const shards = [`127.0.0.1:${ports.cmcc}`, `127.0.0.1:${ports.cmcc + 100}`];
      for (const address of shards) expect(await healthCheck(address, '')).toBe('SERVING');
      expect(run.output()).toContain('Carrier shards: 2 processes per carrier (CARRIER_SHARDS)');
      const stack = JSON.parse(readFileSync(path.join(dataDir, 'stack.json'), 'utf8')) as {
        addresses: Record<string, string>;
        shards: Record<string, { address: string }[]>;
      };
      expect(stack.addresses.CARRIER_CMCC_ADDRESS).toBe(shards[0]);
      expect(stack.shards.CMCC.map((s) => s.address)).toEqual(shards);
      expect(run.output()).toContain(`follows the log from`);

      // Two numbers, one kept by each shard: entered through shard 1, explained and checked through both.
      const numbers = ['+8613800138000', '+8613800138001', '+8613800138002', '+8613800138003'];
      const kept = new Set(numbers.map((n) => partitionOf(msisdnKey(n as Msisdn), 2)));
      expect(kept).toEqual(new Set([0, 1]));
      const at = Date.now() - 60_000;
      const clients = shards.map((address) =>
        createGrpcClient(CARRIER_SERVICE, CARRIER_PROTO, address, { token: run.token('CARRIER_TOKEN') }),
      );
      try {
        const call = clientStreaming<carrier.IngestEventsRequest, carrier.IngestEventsResponse>(
          clients[1]!,
          'ingestEvents',
        );
        await call.write({
          events: numbers.map((msisdn, i) =>
            toWireEvent(
              {
                type: 'subscriber',
                at,
                msisdn: msisdn as Msisdn,
                carrier: 'CMCC',
                activatedAt: at - 400 * 86_400_000,
                realNameVerified: true,
                profile: UsageProfile.None,
              },
              `start-shards-${i}`,
            )!,
          ),
        });
        call.end();
        expect(await call.response).toMatchObject({ accepted: numbers.length, rejected: 0 });
        for (const client of clients)
          for (const msisdn of numbers) {
            const explained = await unary<carrier.ExplainNumberResponse>(client, 'explainNumber', {
              msisdn,
              purpose: 'start e2e',
            });
            expect([msisdn, explained.state]).toEqual([msisdn, 'ACTION_NONE']);
            const check = await unary<carrier.CheckCallResponse>(client, 'checkCall', {
              caller: msisdn,
              callee: '+8613900000001',
            });
            expect([msisdn, check.verdict]).toEqual([msisdn, 'CALL_VERDICT_ALLOW']);
          }
      } finally {
        for (const client of clients) client.close();
      }
      run.interrupt();
      expect(await run.exited).toBe(0);
    } finally {
      const nats = await connect({ servers: natsUrl });
      const jsm = await jetstreamManager(nats);
      for (const name of [stream, `${stream}_X`]) await jsm.streams.delete(name).catch(() => undefined);
      await nats.close();
    }
  }, 120_000);
});
