import net from 'node:net';
import { ConfigError } from '@app/config';
import { DEFAULT_NATS_URL } from './plan';

const CONNECT_TIMEOUT_MS = 5_000;
const NATS_DEFAULT_PORT = 4222;

/** The NATS server the carriers' shards need does not answer: named by NATS_URL, never with a password. */
export class NatsUnreachableError extends Error {
  constructor(shown: string, reason: string, defaulted = false) {
    const variable = defaulted ? `NATS_URL (unset, so ${DEFAULT_NATS_URL})` : 'NATS_URL';
    super(
      `${variable} points at ${shown}, which cannot be reached (${reason}): CARRIER_SHARDS runs each carrier as ` +
        'shards over NATS JetStream: start a NATS server with JetStream (nats-server -js; .ci/run starts one), ' +
        'fix NATS_URL, or unset CARRIER_SHARDS for one process per carrier',
    );
    this.name = 'NatsUnreachableError';
  }
}

/**
 * The servers of NATS_URL as the NATS client reads it: one or more comma-separated `nats://host:port` or
 * `host:port` (port 4222 when left out), credentials aside.
 */
export function natsServers(natsUrl: string): { host: string; port: number }[] {
  const servers = natsUrl
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (servers.length === 0) throw new ConfigError('NATS_URL', 'names no server (e.g. nats://127.0.0.1:4222)');
  return servers.map((entry) => {
    let parsed: URL;
    try {
      parsed = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ? entry : `nats://${entry}`);
    } catch {
      throw new ConfigError(
        'NATS_URL',
        `"${withoutPassword(entry)}" is not a NATS address (e.g. nats://127.0.0.1:4222)`,
      );
    }
    if (parsed.hostname === '')
      throw new ConfigError('NATS_URL', `"${withoutPassword(entry)}" names no host (e.g. nats://127.0.0.1:4222)`);
    return {
      host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: parsed.port === '' ? NATS_DEFAULT_PORT : Number(parsed.port),
    };
  });
}

/** NATS_URL for logs and the banner: each server's password replaced. */
export function withoutPassword(natsUrl: string): string {
  return natsUrl.replace(/(\/\/[^:@/,]*):[^@/,]*@/g, '$1:*****@');
}

/**
 * Connects over TCP to the servers of NATS_URL before any shard starts (the NATS client needs one of them), so
 * that a NATS server that is not running is reported once, by name, instead of by every shard.
 */
export async function assertNatsReachable(
  natsUrl: string,
  { defaulted = false, timeoutMs = CONNECT_TIMEOUT_MS }: { defaulted?: boolean; timeoutMs?: number } = {},
): Promise<void> {
  const servers = natsServers(natsUrl);
  const reasons: string[] = [];
  for (const { host, port } of servers) {
    const reason = await connectFails(host, port, timeoutMs);
    if (reason === undefined) return;
    reasons.push(reason);
  }
  const shown = servers.map(({ host, port }) => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`));
  throw new NatsUnreachableError(shown.join(', '), reasons.join('; '), defaulted);
}

/** Undefined when a TCP connection to host:port opens, else why not. */
function connectFails(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | undefined): void => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000} s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (error) => done(reasonOf(error)));
  });
}

function reasonOf(error: unknown): string {
  // Duck-typed: errors from node:net are not instances of this realm's Error under jest; `localhost` gives one per
  // address tried.
  const { errors, message } = (error ?? {}) as { errors?: unknown; message?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return reasonOf(errors[0]);
  return typeof message === 'string' && message !== '' ? message : String(error);
}
