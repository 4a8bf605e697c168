import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { findFreePort } from '@app/grpc';
import { EMBEDDED_PG_HOST } from '@app/persistence';
import { streamIngest, type IngestLoad } from './ingest';
import { sql, type BenchEnvironment, type BenchService } from './services';

/** What `count` shard processes of the carrier service did with one stream of the load. */
export interface ServiceShardsFigure {
  eventsPerSecond: number;
  decisions: number;
}

/**
 * The carrier service itself in shard mode: `count` processes of CTCC on a fresh database and a log of their own on
 * the JetStream server, fed `load` over one IngestEvents stream through shard 0, timed from the first message to the
 * answer (every batch durable on every shard: decisions, notices, steps and shard_entry rows in PostgreSQL).
 */
export async function measureServiceShards(
  env: BenchEnvironment,
  load: IngestLoad,
  count: number,
  natsUrl: string,
): Promise<ServiceShardsFigure> {
  const db = await env.freshDatabase(`bench_shards_ctcc_${count}`);
  const stream = `BENCH_SHARDS_${count}_${process.pid}`;
  const ports: number[] = [];
  // Each shard's gRPC and metrics ports, all different.
  while (ports.length < 2 * count) {
    const port = await findFreePort(EMBEDDED_PG_HOST);
    if (!ports.includes(port)) ports.push(port);
  }
  const metricsPorts = ports.splice(count);
  const addresses = ports.map((port) => `127.0.0.1:${port}`);
  // Started inside the try: shards that did start are stopped, and the streams deleted, if one does not.
  const started: Promise<BenchService>[] = [];
  try {
    for (const [k, port] of ports.entries())
      started.push(
        env.start(
          'carrier',
          `carrier-ctcc/${k}`,
          db,
          {
            CARRIER_ID: 'CTCC',
            SNAPSHOT_INTERVAL_SEC: '86400',
            NATS_URL: natsUrl,
            CARRIER_SHARDS: String(count),
            CARRIER_SHARD: String(k),
            CARRIER_SHARD_ADDRESSES: addresses.join(','),
            CARRIER_LOG_STREAM: stream,
            SHARD_ENTRY_TIMEOUT_MS: '120000',
            METRICS_PORT: String(metricsPorts[k]),
          },
          '',
          port,
        ),
      );
    const shards = await Promise.all(started);
    const { ms, response } = await streamIngest(shards[0]!.address, env.token('carrier:CTCC'), load);
    const [stored] = await sql<{ n: string }>(db, `SELECT count(*) AS n FROM decision WHERE NOT shadow`);
    if (Number(stored.n) !== response.decisions)
      throw new Error(`the answer counted ${response.decisions} decisions, the database holds ${stored.n}`);
    return { eventsPerSecond: (response.accepted * 1000) / ms, decisions: response.decisions };
  } finally {
    for (const shard of await Promise.allSettled(started))
      if (shard.status === 'fulfilled') await shard.value.stop().catch(() => undefined);
    const nats = await connect({ servers: natsUrl.split(',') });
    const jsm = await jetstreamManager(nats);
    for (const name of [stream, `${stream}_X`]) await jsm.streams.delete(name).catch(() => undefined);
    await nats.close();
  }
}
