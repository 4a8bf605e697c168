import type { KeyObject } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import type { Env } from '@app/config';
import { findFreePort, loadOrCreateSigningKeys, signToken } from '@app/grpc';
import { EMBEDDED_PG_HOST, startEmbeddedPostgres, urlWithDatabase, withMaintenanceClient } from '@app/persistence';
import { SERVICE_NODE_OPTIONS } from '../launcher/node-options';
import { ServiceProcess } from '../launcher/service-process';
import { waitUntilServing } from '../launcher/wait-serving';

const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export type BenchApp = 'registry' | 'admin' | 'carrier';

/** A service started from dist as `npm start` runs it, on a free port, with its own database. */
export interface BenchService {
  name: string;
  address: string;
  port: number;
  databaseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * The PostgreSQL server every benchmark database lives on (DATABASE_URL, else an
 * embedded one under `<dataDir>/pg` on BENCH_PG_PORT), the signing key, and the
 * services started on it; everything is stopped by `close()`.
 */
/**
 * Calls the load generator abandons when its time is up (h2load resets the
 * streams still open, and the followers hang up at shutdown): logged by the
 * services as failed calls, not worth showing between the figures.
 */
const LOAD_GENERATOR_HANGUPS = /"code":"CANCELLED"|code=CANCELLED|Received no request message/;

export class BenchEnvironment {
  private readonly running: BenchService[] = [];

  private constructor(
    readonly serverUrl: string,
    readonly embedded: boolean,
    private readonly stopServer: () => Promise<void>,
    private readonly distRoot: string,
    private readonly baseEnv: Env,
    private readonly signingKey: KeyObject,
    private readonly log: (line: string) => void,
  ) {}

  static async open(
    distRoot: string,
    env: Env,
    dataDir: string,
    log: (line: string) => void,
  ): Promise<BenchEnvironment> {
    const keyDir = path.join(dataDir, 'keys');
    const keys = loadOrCreateSigningKeys(keyDir);
    const baseEnv: Env = {
      ...env,
      DATA_DIR: dataDir,
      AUTH_KEY_DIR: keyDir,
      AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
      GRPC_INSECURE: 'true',
      GRPC_HOST: '127.0.0.1',
      NO_COLOR: '1',
    };
    const configured = env.DATABASE_URL;
    if (configured)
      return new BenchEnvironment(configured, false, async () => undefined, distRoot, baseEnv, keys.privateKey, log);
    const server = await startEmbeddedPostgres({
      dataDir: path.join(dataDir, 'pg'),
      port: Number(env.BENCH_PG_PORT ?? 54349),
      log,
    });
    return new BenchEnvironment(server.serverUrl, true, () => server.stop(), distRoot, baseEnv, keys.privateKey, log);
  }

  /** A token of `role` from the signing key the services verify with. */
  token(role: string, subject = `bench-${role.replace(':', '-').toLowerCase()}`): string {
    return signToken({ subject, role, ttlSeconds: 3600 }, this.signingKey);
  }

  /** An empty database `name` on the server (dropped first if a previous run left it). */
  async freshDatabase(name: string): Promise<string> {
    await withMaintenanceClient(this.serverUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    });
    return urlWithDatabase(this.serverUrl, name);
  }

  /**
   * Starts `dist/apps/<app>/src/main.js` (with `nodeArgs`, e.g. `--cpu-prof`)
   * and resolves once its health check says SERVING.
   */
  async start(
    app: BenchApp,
    name: string,
    databaseUrl: string,
    env: Env = {},
    nodeArgs = '',
    fixedPort?: number,
  ): Promise<BenchService> {
    const port = fixedPort ?? (await findFreePort(EMBEDDED_PG_HOST));
    const urlVariable =
      app === 'carrier' ? `CARRIER_${env.CARRIER_ID}_DATABASE_URL` : `${app.toUpperCase()}_DATABASE_URL`;
    const args = [
      ...SERVICE_NODE_OPTIONS,
      ...nodeArgs.split(' ').filter(Boolean),
      '-r',
      path.join(this.distRoot, 'scripts', 'register-aliases.js'),
      path.join(this.distRoot, 'apps', app, 'src', 'main.js'),
    ];
    const child = new ServiceProcess(
      name,
      process.execPath,
      args,
      { ...this.baseEnv, ...env, GRPC_PORT: String(port), [urlVariable]: databaseUrl },
      (line) => {
        if (/error|warn|fail/i.test(line) && !LOAD_GENERATOR_HANGUPS.test(line)) this.log(`${name} | ${line}`);
      },
    );
    const address = `127.0.0.1:${port}`;
    const service: BenchService = {
      name,
      address,
      port,
      databaseUrl,
      pid: child.pid,
      stop: async () => {
        await child.stop(STOP_TIMEOUT_MS);
      },
    };
    this.running.push(service);
    await waitUntilServing(child, address, START_TIMEOUT_MS, new AbortController().signal);
    return service;
  }

  async close(): Promise<void> {
    for (const service of this.running.reverse()) await service.stop().catch(() => undefined);
    await this.stopServer();
  }
}

/** One query on a database, behind its service's back. */
export async function sql<Row = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as Row[];
  } finally {
    await client.end();
  }
}
