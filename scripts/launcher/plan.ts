import { ConfigError, envInt, type Env } from '@app/config';
import type { CarrierId } from '@app/grpc';
import { ADMIN_DEFAULT_PORT } from '../../apps/admin/src/admin.grpc';
import { REGISTRY_DEFAULT_PORT } from '../../apps/registry/src/registry.grpc';
import { CARRIER_DEFAULT_PORTS } from '../../apps/carrier/src/config/carrier.config';
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
}

/**
 * The services `npm start` runs, in health order: each tier starts once the
 * tier before it is SERVING (registry, then admin, then the carriers), and
 * they stop in reverse.
 */
export function launchPlan(env: Env): ServicePlan[][] {
  const registry = service(env, 'registry', 'registry', 'REGISTRY_PORT', REGISTRY_DEFAULT_PORT, {});
  const admin = service(env, 'admin', 'admin', 'ADMIN_PORT', ADMIN_DEFAULT_PORT, {});
  const carriers = carrierIdsOf(env).map((id) => ({
    ...service(env, `carrier-${id.toLowerCase()}`, 'carrier', `CARRIER_${id}_PORT`, CARRIER_DEFAULT_PORTS[id], { CARRIER_ID: id }, id),
    // Carriers flag numbers to the registry and follow its changes, over loopback.
    localEnv: { REGISTRY_ADDRESS: `127.0.0.1:${registry.port}` },
  }));
  const tiers = [[registry], [admin], carriers].filter((tier) => tier.length > 0);
  assertDistinctPorts(tiers.flat());
  return tiers;
}

function service(env: Env, name: string, app: AppName, portVariable: string, defaultPort: number, extra: Env, instance?: CarrierId): ServicePlan {
  const port = envInt(env, portVariable, defaultPort, 1, 65535);
  return {
    name,
    app,
    port,
    portVariable,
    env: { ...extra, GRPC_PORT: String(port) },
    localEnv: {},
    database: instance === undefined ? { service: app } : { service: app, instance },
  };
}

function assertDistinctPorts(services: ServicePlan[]): void {
  services.forEach((service, i) => {
    const other = services.slice(0, i).find((earlier) => earlier.port === service.port);
    if (other) throw new ConfigError(service.portVariable, `port ${service.port} is already ${other.name}'s (${other.portVariable})`);
  });
}
