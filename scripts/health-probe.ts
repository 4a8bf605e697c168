/**
 * Container health check of the service on this host:
 *
 *   node dist/scripts/health-probe.js [host:port]     (default localhost:$GRPC_PORT)
 *
 * Exits 0 when grpc.health.v1 reports SERVING. It connects like the service's
 * own clients: GRPC_INSECURE=true, or GRPC_TLS_CA plus GRPC_TLS_CLIENT_CERT and
 * GRPC_TLS_CLIENT_KEY when the server requires mutual TLS.
 */
import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { envString } from '@app/config';
import { clientCredentials } from '@app/grpc';
import { healthCheck } from '@app/testing';

async function probe(): Promise<number> {
  const address = process.argv[2] ?? `localhost:${envString(process.env, 'GRPC_PORT')}`;
  const status = await healthCheck(address, '', clientCredentials(process.env));
  if (status === 'SERVING') return 0;
  console.error(`health-probe: ${address} is ${status}`);
  return 1;
}

probe().then(
  (status) => process.exit(status),
  (error: unknown) => {
    console.error(`health-probe: ${(error as Error).message}`);
    process.exit(1);
  },
);
