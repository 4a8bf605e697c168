import { ConfigError, envInt, type Env } from '@app/config';
import type { CarrierId } from '@app/domain';
import {
  ADMIN_DEFAULT_HTTP_PORT,
  ADMIN_DEFAULT_METRICS_PORT,
  ADMIN_DEFAULT_PORT,
} from '../../apps/admin/src/admin.grpc';
import { REGISTRY_DEFAULT_METRICS_PORT, REGISTRY_DEFAULT_PORT } from '../../apps/registry/src/registry.grpc';
import { CARRIER_DEFAULT_METRICS_PORTS, CARRIER_DEFAULT_PORTS } from '../../apps/carrier/src/config/carrier-ports';
import { carrierIdsOf } from '../carrier-ids';

export { REGISTRY_DEFAULT_PORT };

export type AppName = 'registry' | 'admin' | 'carrier';

export interface ServicePlan {
  /** Log prefix and banner name: `registry`, `admin`, `carrier-cmcc`. */
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
  const carriers = carrierIdsOf(env).map((id) => ({
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
  }));
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
