import net from 'node:net';
import { ConfigError } from '@app/config';
import { assertNatsReachable, natsServers, NatsUnreachableError, withoutPassword } from './nats-check';

/** A port nothing listens on: listened on, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('NATS check', () => {
  const listening: net.Server[] = [];
  afterEach(async () => {
    await Promise.all(listening.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('reads the servers of NATS_URL as the NATS client does', () => {
    expect(natsServers('nats://127.0.0.1:4222')).toEqual([{ host: '127.0.0.1', port: 4222 }]);
    expect(natsServers('nats://u:p@nats-1:5222, nats-2:6222,nats://[::1]')).toEqual([
      { host: 'nats-1', port: 5222 },
      { host: 'nats-2', port: 6222 },
      { host: '::1', port: 4222 },
    ]);
    expect(() => natsServers(' , ')).toThrow(
      new ConfigError('NATS_URL', 'names no server (e.g. nats://127.0.0.1:4222)'),
    );
    expect(() => natsServers('nats://host:port')).toThrow(ConfigError);
  });

  it('never shows a password of NATS_URL', () => {
    expect(withoutPassword('nats://fraud:s3cret@10.0.0.9:4222,nats://10.0.0.10:4222')).toBe(
      'nats://fraud:*****@10.0.0.9:4222,nats://10.0.0.10:4222',
    );
    expect(withoutPassword('nats://127.0.0.1:4222')).toBe('nats://127.0.0.1:4222');
  });

  it('fails naming NATS_URL, its host:port, the reason and what to do when nothing answers there', async () => {
    const port = await closedPort();
    const refused = assertNatsReachable(`nats://fraud:s3cret@127.0.0.1:${port}`);
    await expect(refused).rejects.toBeInstanceOf(NatsUnreachableError);
    await expect(refused).rejects.toThrow(
      `NATS_URL points at 127.0.0.1:${port}, which cannot be reached (connect ECONNREFUSED 127.0.0.1:${port}): ` +
        'CARRIER_SHARDS runs each carrier as shards over NATS JetStream: start a NATS server with JetStream ' +
        '(nats-server -js; .ci/run starts one), fix NATS_URL, or unset CARRIER_SHARDS for one process per carrier',
    );
    await expect(refused).rejects.not.toThrow('s3cret');
  });

  it('says when NATS_URL was left to its default', async () => {
    const port = await closedPort();
    await expect(assertNatsReachable(`nats://127.0.0.1:${port}`, { defaulted: true })).rejects.toThrow(
      `NATS_URL (unset, so nats://127.0.0.1:4222) points at 127.0.0.1:${port}, which cannot be reached`,
    );
  });

  it('passes when one server of NATS_URL answers', async () => {
    const server = net.createServer((socket) => socket.end());
    listening.push(server);
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const { port } = server.address() as net.AddressInfo;
    const closed = await closedPort();
    await expect(assertNatsReachable(`nats://127.0.0.1:${port}`)).resolves.toBeUndefined();
    await expect(assertNatsReachable(`127.0.0.1:${closed},127.0.0.1:${port}`)).resolves.toBeUndefined();
    await expect(assertNatsReachable(`127.0.0.1:${closed},127.0.0.1:${closed}`)).rejects.toThrow(
      `NATS_URL points at 127.0.0.1:${closed}, 127.0.0.1:${closed}, which cannot be reached`,
    );
  });
});
