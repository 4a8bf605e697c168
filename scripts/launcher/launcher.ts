import type { KeyObject } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, envInt, envOptional, envString, type Env } from '@app/config';
import { authKeyDir, DEFAULT_SHUTDOWN_GRACE_MS, formatAddress, loadOrCreateSigningKeys } from '@app/grpc';
import {
  DEFAULT_DATA_DIR,
  embeddedPostgresConfig,
  resolveDatabaseUrl,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '@app/persistence';
import { embeddedLogStream } from '../../apps/carrier/src/config/log-stream';
import { banner, maskPassword, type BannerDashboard, type BannerShards } from './banner';
import { ADMIN_TOKEN_VARIABLE, DEV_TOKEN_TTL_HOURS, mintDevTokens, type DevToken } from './dev-tokens';
import { launchPlan, natsUrl, probeHost, type ServicePlan } from './plan';
import { describeExit, ServiceProcess } from './service-process';
import { StartupError, waitUntilServing } from './wait-serving';
import { SERVICE_NODE_OPTIONS } from './node-options';
import { assertDatabasesReachable, DatabaseUnreachableError } from './database-check';
import { assertPortsFree, plannedPorts, PortInUseError } from './port-check';
import { assertNatsReachable, NatsUnreachableError, withoutPassword } from './nats-check';
import { removeStackFile, stackFile, writeStackFile } from './stack-file';

/** Migrations of a fresh database included. */
const START_TIMEOUT_MS = 120_000;
/** Beyond the services' own drain period (GRPC_SHUTDOWN_GRACE_MS), before SIGKILL. */
const EXIT_MARGIN_MS = 5_000;
const LAUNCHER = 'launcher';
/** Log prefixes are padded to the longest service name (longer with shards: `carrier-cmcc/1`). */
const PREFIX_WIDTH = 'carrier-cmcc'.length;

export interface LaunchOptions {
  /** The build output: `<distRoot>/apps/<app>/src/main.js`, `<distRoot>/scripts/register-aliases.js`. */
  distRoot: string;
  env: Env;
  print: (line: string) => void;
  /**
   * Runs once every service is SERVING (e.g. `npm run demo` streams simulated
   * traffic), beside the services; a failure is reported, the services stay up.
   */
  whenServing?: (services: { plan: ServicePlan; address: string }[], env: Env) => Promise<void>;
}

interface Shared {
  env: Env;
  signingKey: KeyObject;
}

interface Running {
  plan: ServicePlan;
  process: ServiceProcess;
  address: string;
}

/**
 * `npm start`: one embedded PostgreSQL (unless DATABASE_URL is set), dev signing
 * keys, then every service as a child process in health order, a banner once all
 * are SERVING, and an orderly stop on SIGINT/SIGTERM. Resolves with the exit status.
 */
export class Launcher {
  private readonly running: Running[] = [];
  /** Aborted on the first SIGINT/SIGTERM. */
  private readonly stopRequested = new AbortController();
  /** Aborted once shutting down for any reason: ends health polling. */
  private readonly shuttingDown = new AbortController();
  private embedded: EmbeddedServer | undefined;
  /** `${DATA_DIR}/stack.json` once written; removed when the stack stops. */
  private stackFile: string | undefined;
  private prefixWidth = PREFIX_WIDTH;

  constructor(private readonly options: LaunchOptions) {}

  async run(): Promise<number> {
    const onSignal = (signal: NodeJS.Signals): void => this.onSignal(signal);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await this.startAndServe();
    } catch (error) {
      this.reportFailure(error);
      return 1;
    } finally {
      await this.stopEverything();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }

  private async startAndServe(): Promise<number> {
    const { env } = this.options;
    const plan = launchPlan(env);
    this.prefixWidth = Math.max(PREFIX_WIDTH, ...plan.flat().map((s) => s.name.length));
    const host = envString(env, 'GRPC_HOST', '127.0.0.1');
    // A second stack on the same ports would otherwise pass the first one's health checks.
    await assertPortsFree(plannedPorts(plan, env, host));
    // Shards meet over NATS: one clear line now rather than every shard failing to connect.
    if (plan.flat().some((s) => s.shard !== undefined))
      await assertNatsReachable(natsUrl(env), { defaulted: envOptional(env, 'NATS_URL') === undefined });
    const shared = await this.prepare(plan, host);
    const serving: Running[] = [];
    for (const tier of plan) {
      if (this.stopRequested.signal.aborted) return 0;
      const started = tier.map((service) => this.spawn(service, shared.env, host));
      await Promise.all(started.map((r) => this.untilServing(r)));
      serving.push(...started);
    }
    if (this.stopRequested.signal.aborted) return 0;
    this.stackFile = this.writeStackFile(shared, serving);
    for (const line of this.bannerLines(shared)) this.options.print(line);
    this.options
      .whenServing?.(
        serving.map(({ plan: p, address }) => ({ plan: p, address })),
        shared.env,
      )
      .catch((error: unknown) => this.say(LAUNCHER, `after start-up: ${(error as Error).message}`));
    const crashed = await this.firstExitOrStop();
    if (!crashed) return 0;
    this.sayLastLines(
      crashed.process,
      `${crashed.plan.name} stopped unexpectedly (${describeExit(crashed.process.exitStatus!)}); stopping everything`,
    );
    return 1;
  }

  /** Data folder, signing keys and database server shared by every service; their variables. */
  private async prepare(plan: ServicePlan[][], host: string): Promise<Shared> {
    const { env, distRoot } = this.options;
    const missing = plan
      .flat()
      .map((s) => mainFile(distRoot, s))
      .find((file) => !existsSync(file));
    if (missing) throw new Error(`${missing} is missing: run npm run build first (npm start does)`);
    await assertDatabasesReachable(plan, env);

    const dataDir = path.resolve(envString(env, 'DATA_DIR', DEFAULT_DATA_DIR));
    // Before the key folder: creating that would make its parents owner-only, too tight for PostgreSQL's OS user.
    mkdirSync(dataDir, { recursive: true });
    const keyDir = path.resolve(authKeyDir({ ...env, DATA_DIR: dataDir }));
    const keys = loadOrCreateSigningKeys(keyDir);
    if (keys.created) this.say(LAUNCHER, `created the dev token signing key ${keys.privateKeyFile}`);

    if (plan.flat().some((s) => resolveDatabaseUrl(s.database.service, s.database.instance, env) === undefined)) {
      this.say(LAUNCHER, `starting PostgreSQL in ${shown(path.join(dataDir, 'pg'))}…`);
      this.embedded = await startEmbeddedPostgres({
        ...embeddedPostgresConfig({ ...env, DATA_DIR: dataDir }),
        log: (message) => this.say('postgres', message),
      });
    }
    const shared: Env = {
      ...env,
      DATA_DIR: dataDir,
      AUTH_KEY_DIR: keyDir,
      AUTH_PUBLIC_KEY_FILE: keys.publicKeyFile,
      GRPC_INSECURE: 'true',
      GRPC_HOST: host,
      // Readable lines behind each service's prefix; LOG_FORMAT=json npm start for the services' own format.
      LOG_FORMAT: envOptional(env, 'LOG_FORMAT') ?? 'text',
      ...(this.embedded ? { DATABASE_URL: this.embedded.serverUrl } : {}),
      // Nest colours its logs whenever NO_COLOR is unset, even into a pipe.
      ...(process.stdout.isTTY || envOptional(env, 'NO_COLOR') !== undefined ? {} : { NO_COLOR: '1' }),
    };
    return { env: shared, signingKey: keys.privateKey };
  }

  private spawn(plan: ServicePlan, shared: Env, host: string): Running {
    const { distRoot } = this.options;
    const args = [
      ...SERVICE_NODE_OPTIONS,
      '-r',
      path.join(distRoot, 'scripts', 'register-aliases.js'),
      mainFile(distRoot, plan),
    ];
    const child = new ServiceProcess(
      plan.name,
      process.execPath,
      args,
      { ...shared, ...plan.env, ...plan.localEnv, ...this.logStream(plan, shared) },
      (line) => this.say(plan.name, line),
    );
    const running = { plan, process: child, address: formatAddress(probeHost(host), plan.port) };
    this.running.push(running);
    this.say(LAUNCHER, `started ${plan.name} (pid ${child.pid}) on port ${plan.port}, metrics on ${plan.metrics.port}`);
    return running;
  }

  /** A shard on the embedded PostgreSQL, with no CARRIER_LOG_STREAM given: its log named after the data folder. */
  private logStream(plan: ServicePlan, shared: Env): Env {
    if (!plan.shard || envOptional(shared, 'CARRIER_LOG_STREAM') !== undefined) return {};
    if (resolveDatabaseUrl(plan.database.service, plan.database.instance, this.options.env) !== undefined) return {};
    return { CARRIER_LOG_STREAM: embeddedLogStream(plan.shard.carrier, envString(shared, 'DATA_DIR')) };
  }

  /** Resolves once `r` is SERVING (says so) or start-up is cancelled. */
  private async untilServing(r: Running): Promise<void> {
    const started = Date.now();
    await waitUntilServing(r.process, r.address, START_TIMEOUT_MS, this.shuttingDown.signal);
    if (this.shuttingDown.signal.aborted) return;
    this.say(LAUNCHER, `${r.plan.name} SERVING on ${r.address} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }

  /** `${DATA_DIR}/stack.json`: the addresses fraudctl follows. */
  private writeStackFile({ env }: Shared, serving: Running[]): string {
    return writeStackFile(
      envString(env, 'DATA_DIR'),
      stackFile({
        pid: process.pid,
        startedAt: new Date(),
        services: serving,
        dashboard: this.dashboardUrl(env),
        keyDir: envString(env, 'AUTH_KEY_DIR'),
      }),
    );
  }

  private bannerLines({ env, signingKey }: Shared): string[] {
    const server = envOptional(env, 'DATABASE_URL');
    const tokens = mintDevTokens(signingKey);
    const metricsHost = probeHost(envString(env, 'METRICS_HOST', envString(env, 'GRPC_HOST')));
    return banner({
      endpoints: this.running.map((r) => ({
        name: r.plan.name,
        address: r.address,
        pid: r.process.pid,
        metricsUrl: `http://${formatAddress(metricsHost, r.plan.metrics.port)}/metrics`,
      })),
      ...this.shards(),
      ...this.dashboard(env, tokens),
      database:
        server === undefined
          ? 'per service (*_DATABASE_URL)'
          : `${maskPassword(server)}${this.embedded ? ' (embedded)' : ''}`,
      dataDir: envString(env, 'DATA_DIR'),
      ...(this.stackFile ? { stackFile: shown(this.stackFile) } : {}),
      tokens,
      tokenTtlHours: DEV_TOKEN_TTL_HOURS,
    });
  }

  /** The carriers' shard processes, when they run as shards (CARRIER_SHARDS). */
  private shards(): { shards?: BannerShards } {
    const sharded = this.running.filter((r) => r.plan.shard !== undefined);
    const first = sharded[0]?.plan.shard;
    if (!first) return {};
    return {
      shards: {
        count: first.count,
        natsUrl: withoutPassword(first.natsUrl),
        processes: sharded.map((r) => ({ name: r.plan.name, address: r.address, metricsPort: r.plan.metrics.port })),
      },
    };
  }

  /**
   * The admin's dashboard URL (where it listens: ADMIN_HTTP_HOST, else GRPC_HOST)
   * and the admin dev token to sign in with.
   */
  private dashboard(env: Env, tokens: DevToken[]): { dashboard?: BannerDashboard } {
    const url = this.dashboardUrl(env);
    const token = tokens.find((t) => t.variable === ADMIN_TOKEN_VARIABLE);
    return url && token ? { dashboard: { url, token } } : {};
  }

  private dashboardUrl(env: Env): string | undefined {
    const admin = this.running.find((r) => r.plan.http !== undefined);
    if (!admin?.plan.http) return undefined;
    const host = probeHost(envString(env, 'ADMIN_HTTP_HOST', envString(env, 'GRPC_HOST')));
    return `http://${formatAddress(host, admin.plan.http.port)}/`;
  }

  /** The first service that exits on its own, or undefined once a stop is requested. */
  private firstExitOrStop(): Promise<Running | undefined> {
    const stop = this.stopRequested.signal;
    if (stop.aborted) return Promise.resolve(undefined);
    return Promise.race([
      ...this.running.map((r) => r.process.exited.then(() => r)),
      new Promise<undefined>((resolve) => stop.addEventListener('abort', () => resolve(undefined), { once: true })),
    ]);
  }

  private onSignal(signal: NodeJS.Signals): void {
    if (!this.stopRequested.signal.aborted) {
      this.say(LAUNCHER, `${signal}: stopping the services (again to kill them now)`);
      this.stopRequested.abort();
      this.shuttingDown.abort();
      return;
    }
    this.say(LAUNCHER, `${signal} again: killing the services`);
    for (const r of this.running) r.process.kill();
  }

  /** Services in reverse health order, each tier draining at once; then the database server. */
  private async stopEverything(): Promise<void> {
    this.shuttingDown.abort();
    // Its addresses are about to stop answering.
    if (this.stackFile) removeStackFile(this.stackFile);
    this.stackFile = undefined;
    const timeoutMs =
      envInt(this.options.env, 'GRPC_SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000) + EXIT_MARGIN_MS;
    const tiers = [...new Set(this.running.map((r) => r.plan.app))].reverse();
    for (const app of tiers) {
      await Promise.all(
        this.running
          .filter((r) => r.plan.app === app)
          .map(async (r) => {
            const wasRunning = r.process.exitStatus === undefined;
            const exit = await r.process.stop(timeoutMs);
            if (wasRunning) this.say(LAUNCHER, `${r.plan.name} stopped (${describeExit(exit)})`);
          }),
      );
    }
    if (this.embedded) {
      await this.embedded.stop();
      this.say(LAUNCHER, 'PostgreSQL stopped');
    }
  }

  private reportFailure(error: unknown): void {
    if (error instanceof StartupError) {
      this.sayLastLines(error.service, error.message);
    } else if (
      error instanceof ConfigError ||
      error instanceof PortInUseError ||
      error instanceof DatabaseUnreachableError ||
      error instanceof NatsUnreachableError
    ) {
      this.say(LAUNCHER, error.message);
    } else {
      this.say(LAUNCHER, `failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private sayLastLines(service: ServiceProcess, why: string): void {
    this.say(LAUNCHER, `${why}; its last lines:`);
    for (const line of service.lastLines()) this.say(LAUNCHER, `  ${line}`);
  }

  private say(source: string, line: string): void {
    this.options.print(`${source.padEnd(this.prefixWidth)} | ${line}`);
  }
}

function mainFile(distRoot: string, plan: ServicePlan): string {
  return path.join(distRoot, 'apps', plan.app, 'src', 'main.js');
}

/** A path as short as it reads: relative to the working folder when under it (`.data/pg`). */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
