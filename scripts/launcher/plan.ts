import { ConfigError, envInt, envOptional, envString, type Env } from '@app/config';
import type { CarrierId } from '@app/domain';
import { formatAddress } from '@app/grpc';
import {
  ADMIN_DEFAULT_HTTP_PORT,
  ADMIN_DEFAULT_METRICS_PORT,
  ADMIN_DEFAULT_PORT,
} from '../../apps/admin/src/admin.grpc';
import { REGISTRY_DEFAULT_METRICS_PORT, REGISTRY_DEFAULT_PORT } from '../../apps/registry/src/registry.grpc';
import {
  CARRIER_DEFAULT_METRICS_PORTS,
  CARRIER_DEFAULT_PORTS,
  MAX_SHARDS,
  shardPort,
} from '../../apps/carrier/src/config/carrier-ports';
import { carrierIdsOf } from '../carrier-ids';

export { REGISTRY_DEFAULT_PORT };

export type AppName = 'registry' | 'admin' | 'carrier';

/** NATS_URL when unset: the NATS server (with JetStream) the shards of a carrier share, as .ci/run starts it. */
export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
/** One of the N processes of a carrier run as shards (CARRIER_SHARDS=N). */
export interface ShardOf {
  carrier: CarrierId;
  /** CARRIER_SHARD: 0..count-1; shard 0's address is the carrier's. */
  index: number;
  /** CARRIER_SHARDS. */
  count: number;
  /** NATS_URL, as passed on. */
  natsUrl: string;
}

export interface ServicePlan {
  /** Log prefix and banner name: `registry`, `admin`, `carrier-cmcc`; a shard `carrier-cmcc/1` (CARRIER_SHARDS). */
  name: string;
  app: AppName;
  port: number;
  /** The launcher's variable for this port (REGISTRY_PORT, ADMIN_PORT, CARRIER_<ID>_PORT). */
  portVariable: string;
  /** What this service gets on top of the variables all services share. */
  env: Env;
  /** Only under npm start: how it reaches the other services on this host (compose names them instead). */
  localEnv: Env;
  /** Its database, as @app/persistence names it. */
  database: { service: AppName; instance?: CarrierId };
  /** The admin's dashboard and JSON API (ADMIN_HTTP_PORT); other services serve no HTTP. */
  http?: { port: number; portVariable: string };
  /** GET /metrics (passed on as METRICS_PORT). */
  metrics: { port: number; portVariable: string };
  /**
   * Set when this is one shard process of a carrier (CARRIER_SHARDS): its ports are the carrier's + 100·index
   * (`portVariable` and `metrics.portVariable` stay the carrier's, which move every shard).
   */
  shard?: ShardOf;
}

/**
 * The services `npm start` runs, in health order: each tier starts once the
 * tier before it is SERVING (registry, then admin, then the carriers), and
 * they stop in reverse.
 */
export function launchPlan(env: Env): ServicePlan[][] {
  const registry = service(
    env,
    'registry',
    'registry',
    'REGISTRY_PORT',
    REGISTRY_DEFAULT_PORT,
    REGISTRY_DEFAULT_METRICS_PORT,
    {},
  );
  const registryAddress = `127.0.0.1:${registry.port}`;
  // The administration follows the registry (police clearances), over loopback.
  const admin = withDashboard(env, {
    ...service(env, 'admin', 'admin', 'ADMIN_PORT', ADMIN_DEFAULT_PORT, ADMIN_DEFAULT_METRICS_PORT, {}),
    localEnv: { REGISTRY_ADDRESS: registryAddress },
  });
  const shards = carrierShards(env);
  const carriers = carrierIdsOf(env).flatMap((id) => {
    const carrier = {
      ...service(
        env,
        `carrier-${id.toLowerCase()}`,
        'carrier',
        `CARRIER_${id}_PORT`,
        CARRIER_DEFAULT_PORTS[id],
        CARRIER_DEFAULT_METRICS_PORTS[id],
        { CARRIER_ID: id },
        id,
      ),
      // Carriers flag numbers to the registry and follow its changes, feed the administration and take its directives.
      localEnv: { REGISTRY_ADDRESS: registryAddress, ADMIN_ADDRESS: `127.0.0.1:${admin.port}` },
    };
    return shards === undefined ? [carrier] : shardsOf(env, carrier, id, shards);
  });
  const tiers = [[registry], [admin], carriers].filter((tier) => tier.length > 0);
  assertDistinctPorts(tiers.flat());
  return tiers;
}

function service(
  env: Env,
  name: string,
  app: AppName,
  portVariable: string,
  defaultPort: number,
  defaultMetricsPort: number,
  extra: Env,
  instance?: CarrierId,
): ServicePlan {
  const port = envInt(env, portVariable, defaultPort, 1, 65535);
  // REGISTRY_METRICS_PORT, ADMIN_METRICS_PORT, CARRIER_<ID>_METRICS_PORT.
  const metricsVariable = portVariable.replace(/_PORT$/, '_METRICS_PORT');
  const metricsPort = envInt(env, metricsVariable, defaultMetricsPort, 1, 65535);
  return {
    name,
    app,
    port,
    portVariable,
    metrics: { port: metricsPort, portVariable: metricsVariable },
    env: { ...extra, GRPC_PORT: String(port), METRICS_PORT: String(metricsPort) },
    localEnv: {},
    database: instance === undefined ? { service: app } : { service: app, instance },
  };
}

/**
 * CARRIER_SHARDS: how many shard processes each carrier runs as (1..64), or undefined when unset (one plain
 * process per carrier, no NATS).
 */
export function carrierShards(env: Env): number | undefined {
  if (envOptional(env, 'CARRIER_SHARDS') === undefined) return undefined;
  try {
    return envInt(env, 'CARRIER_SHARDS', 1, 1, MAX_SHARDS);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    throw new ConfigError(
      'CARRIER_SHARDS',
      `"${env.CARRIER_SHARDS}" is not a number of shards per carrier (1 to ${MAX_SHARDS}); ` +
        'unset it to run one process per carrier',
    );
  }
}

/** NATS_URL, else DEFAULT_NATS_URL: where the shards of every carrier meet. */
export function natsUrl(env: Env): string {
  return envString(env, 'NATS_URL', DEFAULT_NATS_URL);
}

/** Where a client on this host reaches a server bound to `host` (GRPC_HOST). */
export function probeHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

/**
 * The `count` shard processes of one carrier: shard k on the carrier's gRPC and metrics ports + 100·k, each told
 * the addresses of all (CARRIER_SHARD_ADDRESSES, shard k at index k, shard 0 on the carrier's own address).
 */
function shardsOf(env: Env, carrier: ServicePlan, id: CarrierId, count: number): ServicePlan[] {
  const host = probeHost(envString(env, 'GRPC_HOST', '127.0.0.1'));
  const nats = natsUrl(env);
  const indexes = Array.from({ length: count }, (_, k) => k);
  const portOf = (base: number, variable: string, k: number): number => {
    const port = shardPort(base, k);
    if (port > 65535)
      throw new ConfigError(
        variable,
        `${base} + 100·${k} for shard ${k} of ${id} (CARRIER_SHARDS=${count}) is beyond port 65535: ` +
          `lower ${variable} or CARRIER_SHARDS`,
      );
    return port;
  };
  const ports = indexes.map((k) => portOf(carrier.port, carrier.portVariable, k));
  const addresses = ports.map((port) => formatAddress(host, port));
  return indexes.map((k) => {
    const metricsPort = portOf(carrier.metrics.port, carrier.metrics.portVariable, k);
    return {
      ...carrier,
      name: `${carrier.name}/${k}`,
      port: ports[k]!,
      metrics: { ...carrier.metrics, port: metricsPort },
      env: {
        ...carrier.env,
        GRPC_PORT: String(ports[k]),
        METRICS_PORT: String(metricsPort),
        NATS_URL: nats,
        CARRIER_SHARDS: String(count),
        CARRIER_SHARD: String(k),
      },
      localEnv: { ...carrier.localEnv, CARRIER_SHARD_ADDRESSES: addresses.join(',') },
      shard: { carrier: id, index: k, count, natsUrl: nats },
    };
  });
}

/** The admin also serves the dashboard over HTTP, on ADMIN_HTTP_PORT (passed on to it as is). */
function withDashboard(env: Env, admin: ServicePlan): ServicePlan {
  const port = envInt(env, 'ADMIN_HTTP_PORT', ADMIN_DEFAULT_HTTP_PORT, 1, 65535);
  return {
    ...admin,
    env: { ...admin.env, ADMIN_HTTP_PORT: String(port) },
    http: { port, portVariable: 'ADMIN_HTTP_PORT' },
  };
}

function assertDistinctPorts(services: ServicePlan[]): void {
  const ports = services.flatMap((s) => [
    { name: s.name, port: s.port, variable: s.portVariable },
    ...(s.http ? [{ name: `${s.name} (HTTP)`, port: s.http.port, variable: s.http.portVariable }] : []),
    { name: `${s.name} (metrics)`, port: s.metrics.port, variable: s.metrics.portVariable },
  ]);
  ports.forEach((entry, i) => {
    const other = ports.slice(0, i).find((earlier) => earlier.port === entry.port);
    if (other)
      throw new ConfigError(entry.variable, `port ${entry.port} is already ${other.name}'s (${other.variable})`);
  });
}
