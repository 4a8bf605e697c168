import net from 'node:net';
import { launchPlan } from './plan';
import { assertPortsFree, plannedPorts, PortInUseError } from './port-check';

describe('port check', () => {
  const occupied: net.Server[] = [];
  const occupy = async (host = '127.0.0.1'): Promise<number> => {
    const server = net.createServer();
    occupied.push(server);
    await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
    return (server.address() as net.AddressInfo).port;
  };
  afterEach(async () => {
    await Promise.all(occupied.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('lists every gRPC, HTTP and metrics port of the plan with its service, host and variable', () => {
    const env = { CARRIER_IDS: 'CMCC', METRICS_HOST: '0.0.0.0', ADMIN_HTTP_PORT: '8088' };
    expect(plannedPorts(launchPlan(env), env, '127.0.0.1')).toEqual([
      { port: 50051, host: '127.0.0.1', what: 'registry gRPC', variable: 'REGISTRY_PORT' },
      { port: 9461, host: '0.0.0.0', what: 'registry metrics', variable: 'REGISTRY_METRICS_PORT' },
      { port: 50052, host: '127.0.0.1', what: 'admin gRPC', variable: 'ADMIN_PORT' },
      { port: 8088, host: '127.0.0.1', what: 'admin HTTP', variable: 'ADMIN_HTTP_PORT' },
      { port: 9462, host: '0.0.0.0', what: 'admin metrics', variable: 'ADMIN_METRICS_PORT' },
      { port: 50061, host: '127.0.0.1', what: 'carrier-cmcc gRPC', variable: 'CARRIER_CMCC_PORT' },
      { port: 9471, host: '0.0.0.0', what: 'carrier-cmcc metrics', variable: 'CARRIER_CMCC_METRICS_PORT' },
    ]);
  });

  it('lists the gRPC and metrics port of every shard of a carrier run as shards', () => {
    const env = { CARRIER_IDS: 'CMCC', CARRIER_SHARDS: '3' };
    expect(plannedPorts(launchPlan(env), env, '127.0.0.1').slice(5)).toEqual([
      { port: 50061, host: '127.0.0.1', what: 'carrier-cmcc/0 gRPC', variable: 'CARRIER_CMCC_PORT' },
      { port: 9471, host: '127.0.0.1', what: 'carrier-cmcc/0 metrics', variable: 'CARRIER_CMCC_METRICS_PORT' },
      { port: 50161, host: '127.0.0.1', what: 'carrier-cmcc/1 gRPC', variable: 'CARRIER_CMCC_PORT' },
      { port: 9571, host: '127.0.0.1', what: 'carrier-cmcc/1 metrics', variable: 'CARRIER_CMCC_METRICS_PORT' },
      { port: 50261, host: '127.0.0.1', what: 'carrier-cmcc/2 gRPC', variable: 'CARRIER_CMCC_PORT' },
      { port: 9671, host: '127.0.0.1', what: 'carrier-cmcc/2 metrics', variable: 'CARRIER_CMCC_METRICS_PORT' },
    ]);
  });

  it('names the taken port, its service and its variable, and leaves the free ones unbound', async () => {
    const taken = await occupy();
    const free = await occupy();
    await new Promise((resolve) => occupied.pop()!.close(resolve));
    const ports = [
      { port: free, host: '127.0.0.1', what: 'registry gRPC', variable: 'REGISTRY_PORT' },
      { port: taken, host: '127.0.0.1', what: 'admin metrics', variable: 'ADMIN_METRICS_PORT' },
    ];
    const refused = assertPortsFree(ports);
    await expect(refused).rejects.toBeInstanceOf(PortInUseError);
    await expect(refused).rejects.toThrow(
      `port ${taken} (admin metrics, ADMIN_METRICS_PORT) is in use: stop the other stack or set ADMIN_METRICS_PORT`,
    );
    // The probe of the free port released it.
    await expect(assertPortsFree([ports[0]])).resolves.toBeUndefined();
  });

  it('sees a port taken on every interface as taken on 127.0.0.1', async () => {
    const taken = await occupy('0.0.0.0');
    await expect(
      assertPortsFree([{ port: taken, host: '127.0.0.1', what: 'registry gRPC', variable: 'REGISTRY_PORT' }]),
    ).rejects.toThrow(`port ${taken} (registry gRPC, REGISTRY_PORT) is in use`);
  });
});
