import type { CarrierId } from '@app/domain';

/**
 * GRPC_PORT when unset: one port per carrier, so one host can run them all.
 * Apart from carrier.config so that clients (npm start, fraudctl) read it without loading the service.
 */
export const CARRIER_DEFAULT_PORTS: Readonly<Record<CarrierId, number>> = {
  CMCC: 50061,
  CUCC: 50062,
  CTCC: 50063,
  CBN: 50064,
};
/** METRICS_PORT when unset, likewise one per carrier. */
export const CARRIER_DEFAULT_METRICS_PORTS: Readonly<Record<CarrierId, number>> = {
  CMCC: 9471,
  CUCC: 9472,
  CTCC: 9473,
  CBN: 9474,
};

/** The most shards one carrier may run as (CARRIER_SHARDS; the exchange has a partition per shard). */
export const MAX_SHARDS = 64;

/** How far apart the ports of a carrier's shards are: shard k listens on the carrier's ports + 100·k. */
export const SHARD_PORT_STEP = 100;

/**
 * The port shard `shard` of a carrier listens on, gRPC or metrics alike: `base` + 100·shard. Shard 0 is on the
 * carrier's own port, so the carrier's address is its shard 0's; consecutive carriers (50061, 50062, ...) never meet.
 */
export function shardPort(base: number, shard: number): number {
  if (!Number.isInteger(shard) || shard < 0) throw new RangeError(`shard ${shard} is not a shard number (0, 1, ...)`);
  return base + SHARD_PORT_STEP * shard;
}
