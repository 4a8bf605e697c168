import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import type { Env } from '@app/config';
import { CARRIER_IDS, isCarrierId, type CarrierId } from '@app/domain';
import {
  databaseUrlOnServer,
  DEFAULT_DATA_DIR,
  embeddedPostgresConfig,
  resolveDatabaseUrl,
  startEmbeddedPostgres,
  type EmbeddedServer,
} from '@app/persistence';
import { embeddedLogStream } from '../apps/carrier/src/config/log-stream';
import { carrierDatabase } from '../apps/carrier/src/database';
import { MAX_SHARDS } from '../apps/carrier/src/config/carrier-ports';
import { reshardSnapshots, ReshardRefused, type ReshardSummary } from '../apps/carrier/src/shard/reshard-snapshots';
import { HelpRequested } from './cli-help';

export const USAGE = `usage: npm run reshard -- --carrier <${CARRIER_IDS.join('|')}> --to <1..${MAX_SHARDS}>`;

export interface ReshardArguments {
  carrier: CarrierId;
  to: number;
}

/** The command line; throws HelpRequested for --help, an Error (a usage error) for anything else wrong. */
export function parseArguments(argv: string[]): ReshardArguments {
  let values: { carrier?: string; to?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { carrier: { type: 'string' }, to: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`, { cause: error });
  }
  if (values.help) throw new HelpRequested(USAGE);
  const carrier = values.carrier?.toUpperCase();
  if (carrier === undefined || !isCarrierId(carrier))
    throw new Error(`--carrier: one of ${CARRIER_IDS.join(', ')}\n${USAGE}`);
  const to = /^\d+$/.test(values.to ?? '') ? Number(values.to) : NaN;
  if (!(to >= 1 && to <= MAX_SHARDS))
    throw new Error(`--to: a whole number of shards from 1 to ${MAX_SHARDS}\n${USAGE}`);
  return { carrier, to };
}

/** What the command did, line by line. */
export function summaryLines(carrier: string, stream: string, done: ReshardSummary): string[] {
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
  const total = done.shards.reduce((sum, s) => sum + s.bytes, 0);
  return [
    `reshard: ${carrier} from ${done.from} to ${done.to} shards at log entry ${done.entry} (${mb(total)} of snapshots)`,
    ...done.shards.map((s) => `  shard ${s.shard} of ${done.to}: ${s.numbers} numbers, ${mb(s.bytes)}`),
    done.exchangeDeleted
      ? `  deleted the exchange stream ${stream}_X (the new shards create it with ${done.to} partitions)`
      : `  no exchange stream ${stream}_X to delete`,
    `  kept the log stream ${stream}: the new shards resume after entry ${done.entry}`,
    `next: start the carrier with CARRIER_SHARDS=${done.to}`,
  ];
}

/**
 * Re-shards the carrier's snapshots (reshardSnapshots) on its database: CARRIER_<ID>_DATABASE_URL as it is, else its
 * database on the DATABASE_URL server, else on the embedded server of DATA_DIR (`npm start`'s .data), started for the
 * while; NATS at NATS_URL; the log stream CARRIER_LOG_STREAM (default CARRIER_<ID>). Returns the exit code: 0 done,
 * 1 refused or failed (nothing changed when refused).
 */
export async function runReshard(
  args: ReshardArguments,
  env: Env,
  out: (line: string) => void,
  err: (line: string) => void,
): Promise<number> {
  // As npm start names it on its embedded PostgreSQL (embeddedLogStream), else the carrier's default.
  const onEmbedded = resolveDatabaseUrl(carrierDatabase.service, args.carrier, env) === undefined;
  const stream =
    env.CARRIER_LOG_STREAM ||
    (onEmbedded ? embeddedLogStream(args.carrier, env.DATA_DIR || DEFAULT_DATA_DIR) : `CARRIER_${args.carrier}`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stream)) {
    err(`reshard: CARRIER_LOG_STREAM ${JSON.stringify(stream)}: letters, digits, _ and - only`);
    return 1;
  }
  const natsUrl = env.NATS_URL || 'nats://127.0.0.1:4222';
  let embedded: EmbeddedServer | undefined;
  let dataSource: DataSource | undefined;
  let nats: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    let url = resolveDatabaseUrl(carrierDatabase.service, args.carrier, env);
    if (url === undefined) {
      embedded = await startEmbeddedPostgres({ ...embeddedPostgresConfig(env), log: (line) => err(line) });
      url = databaseUrlOnServer(embedded.serverUrl, carrierDatabase.service, args.carrier);
    }
    dataSource = new DataSource({ type: 'postgres', url, applicationName: 'reshard' });
    await dataSource.initialize();
    nats = await connect({ servers: natsUrl.split(','), name: `reshard-${args.carrier}` });
    const done = await reshardSnapshots(dataSource, nats, { carrierId: args.carrier, to: args.to, stream });
    for (const line of summaryLines(args.carrier, stream, done)) out(line);
    return 0;
  } catch (error) {
    const refused = error instanceof ReshardRefused;
    err(`reshard: ${refused ? 'refused, nothing changed: ' : ''}${(error as Error).message}`);
    return 1;
  } finally {
    await nats?.close().catch(() => undefined);
    await dataSource?.destroy().catch(() => undefined);
    await embedded?.stop();
  }
}
