import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Env } from '@app/config';
import { freePort } from '@app/testing';
import { CarrierHarness } from './carrier-harness';
import { CarrierProcess } from './carrier-process';
import { evidenceFile, send, storedDecisions, storedWarningsAndNotices } from './evidence-file';

// The NATS server with JetStream of .ci/run (or NATS_URL): every run gets streams of its own, deleted after.
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** The variables of shard `shard` of `addresses.length` on the log stream `stream`, reaching NATS at `natsUrl`. */
export function shardEnv(stream: string, addresses: readonly string[], shard: number, natsUrl = NATS_URL): Env {
  return {
    NATS_URL: natsUrl,
    CARRIER_SHARDS: String(addresses.length),
    CARRIER_SHARD: String(shard),
    CARRIER_SHARD_ADDRESSES: addresses.join(','),
    CARRIER_LOG_STREAM: stream,
    SNAPSHOT_INTERVAL_SEC: '1',
    SHARD_EXCHANGE_TIMEOUT_MS: '2000',
    SHARD_ENTRY_TIMEOUT_MS: '90000',
  };
}

/** `count` shard addresses: shard 0 on the harness's own (its clients reach the carrier there), the others free. */
export async function shardAddresses(harness: CarrierHarness, count: number): Promise<string[]> {
  const host = harness.address.split(':')[0];
  const addresses = [harness.address];
  while (addresses.length < count) addresses.push(`${host}:${await freePort()}`);
  return addresses;
}

/**
 * The stopped harness's carrier database served by `count` shard processes on the log stream `stream`, all started
 * at once; each process also goes to `started` (for the test's clean-up).
 */
export async function startShards(
  harness: CarrierHarness,
  stream: string,
  count: number,
  started: CarrierProcess[],
): Promise<CarrierProcess[]> {
  const addresses = await shardAddresses(harness, count);
  return Promise.all(
    addresses.map(async (address, shard) => {
      const process = await CarrierProcess.start(harness, shardEnv(stream, addresses, shard), address);
      started.push(process);
      return process;
    }),
  );
}

/** What a shard e2e suite shares (shardBed): set in its beforeAll, cleaned up in its afterAll. */
export interface ShardBed {
  file: ReturnType<typeof evidenceFile>;
  /** A plain carrier fed the whole file: what every sharded run of it must store. */
  reference: CarrierHarness;
  expected: Record<string, unknown>[];
  expectedNotices: Record<string, unknown>[];
  nats: NatsConnection;
  /** Harnesses, processes and JetStream streams to close, kill and delete after the suite. */
  harnesses: CarrierHarness[];
  processes: CarrierProcess[];
  streams: string[];
}

/** Registers the suite's beforeAll (the reference run of the evidence file `tag`) and afterAll (the clean-up). */
export function shardBed(tag: string): ShardBed {
  const bed = { file: evidenceFile(tag), harnesses: [], processes: [], streams: [] } as unknown as ShardBed;
  beforeAll(async () => {
    bed.nats = await connect({ servers: NATS_URL, name: `${tag}-e2e` });
    bed.reference = await CarrierHarness.start('CTCC');
    await send(bed.reference.client(), bed.file.streams);
    bed.expected = await storedDecisions(bed.reference.db.url);
    bed.expectedNotices = await storedWarningsAndNotices(bed.reference.db.url);
  });
  afterAll(async () => {
    for (const p of bed.processes) await p.kill();
    for (const h of bed.harnesses) await h.close();
    await bed.reference?.close();
    if (!bed.nats) return;
    const jsm = await jetstreamManager(bed.nats);
    for (const stream of bed.streams) await jsm.streams.delete(stream).catch(() => undefined);
    await bed.nats.close();
  });
  return bed;
}
