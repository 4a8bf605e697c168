import type { Env } from '@app/config';
import { freePort } from '@app/testing';
import type { CarrierHarness } from './carrier-harness';
import { CarrierProcess } from './carrier-process';

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
