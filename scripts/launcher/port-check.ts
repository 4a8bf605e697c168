import net from 'node:net';
import { envString, type Env } from '@app/config';
import type { ServicePlan } from './plan';

/** One port `npm start` is about to listen on. */
export interface PlannedPort {
  port: number;
  host: string;
  /** e.g. `registry gRPC`, `admin HTTP`, `carrier-cmcc metrics`. */
  what: string;
  /** The variable that sets it: REGISTRY_PORT, ADMIN_HTTP_PORT, CARRIER_CMCC_METRICS_PORT. */
  variable: string;
}

/** Raised before anything starts when a port of the plan is taken (a second stack, another program). */
export class PortInUseError extends Error {
  constructor(readonly planned: PlannedPort) {
    super(
      `port ${planned.port} (${planned.what}, ${planned.variable}) is in use: ` +
        `stop the other stack or set ${planned.variable}`,
    );
    this.name = 'PortInUseError';
  }
}

/**
 * Every port of the plan on the host each service will bind it to: gRPC on
 * GRPC_HOST, metrics on METRICS_HOST (else GRPC_HOST), the dashboard on
 * ADMIN_HTTP_HOST (else GRPC_HOST), as the services read them.
 */
export function plannedPorts(plan: ServicePlan[][], env: Env, grpcHost: string): PlannedPort[] {
  const metricsHost = envString(env, 'METRICS_HOST', grpcHost);
  const httpHost = envString(env, 'ADMIN_HTTP_HOST', grpcHost);
  return plan
    .flat()
    .flatMap((s) => [
      { port: s.port, host: grpcHost, what: `${s.name} gRPC`, variable: s.portVariable },
      ...(s.http ? [{ port: s.http.port, host: httpHost, what: `${s.name} HTTP`, variable: s.http.portVariable }] : []),
      { port: s.metrics.port, host: metricsHost, what: `${s.name} metrics`, variable: s.metrics.portVariable },
    ]);
}

/** Throws PortInUseError for the first planned port that cannot be listened on; listens on none. */
export async function assertPortsFree(ports: PlannedPort[]): Promise<void> {
  for (const planned of ports) {
    if (!(await canListen(planned.host, planned.port))) throw new PortInUseError(planned);
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
