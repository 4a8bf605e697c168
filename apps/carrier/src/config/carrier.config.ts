import { ConfigError, envEnum, envInt, envOptional, envString, type Env } from '@app/config';
import { CARRIER_IDS, type CarrierId, type EventGateOptions } from '@app/domain';
import { DEFAULT_PROVINCE, envPeer, provinceProblem } from '@app/grpc';
import { CARRIER_DEFAULT_METRICS_PORTS, CARRIER_DEFAULT_PORTS, MAX_SHARDS } from './carrier-ports';

export { CARRIER_DEFAULT_PORTS, CARRIER_DEFAULT_METRICS_PORTS, MAX_SHARDS };

/** Injection token of the carrier's CarrierConfig. */
export const CARRIER_CONFIG = Symbol('CARRIER_CONFIG');

export interface CarrierConfig {
  /** The one carrier this process serves (`CARRIER_ID`, required). */
  carrierId: CarrierId;
  /** The province this deployment serves (`CARRIER_PROVINCE`): only its `admin:<province>` tokens act here. */
  province: string;
  defaultPort: number;
  defaultMetricsPort: number;
  /** How late an event may arrive, behind the newest one seen, and still be analysed. */
  latenessMs: number;
  /**
   * How far ahead of this service's clock an event may be dated (senders' clock
   * skew); later ones are refused as future.
   */
  maxAheadMs: number;
  /** Activity of numbers idle this long is forgotten (numbers on a ladder step are kept). */
  idleEvictionMs: number;
  /** How often the engine's whole state is stored (`SNAPSHOT_INTERVAL_SEC`), so a restart replays little journal. */
  snapshotIntervalMs: number;
  /** The registry's gRPC address; unset: no flags leave and no registry copy is kept. */
  registryAddress: string | undefined;
  /** Outbox messages sent per call, and the pause between rounds when idle. */
  outboxBatch: number;
  outboxIntervalMs: number;
  /** Delivered outbox messages are deleted after this many days (the decisions themselves stay). */
  outboxRetentionDays: number;
  /**
   * A file holding this carrier's token for the registry (re-read when it
   * changes); unset: minted from the signing key, outside production.
   */
  registryTokenFile: string | undefined;
  /** The longest pause between retries while the registry is unreachable. */
  registryRetryMaxMs: number;
  /** The administration's gRPC address; unset: nothing is sent to it and no directive is received. */
  adminAddress: string | undefined;
  /** As registryTokenFile, for the administration. */
  adminTokenFile: string | undefined;
  /** The longest pause between retries while the administration is unreachable. */
  adminRetryMaxMs: number;
  /** Shard mode (`CARRIER_SHARDS`): this process is one of the carrier's N shards over NATS JetStream. */
  shards: CarrierShardConfig | undefined;
}

/** One shard of a carrier run as N processes over NATS JetStream (docs/operations.md#shards). */
export interface CarrierShardConfig {
  /** CARRIER_SHARDS: how many shards the carrier runs as. */
  count: number;
  /** CARRIER_SHARD: this process's shard, 0 to count - 1. */
  index: number;
  /** NATS_URL: the JetStream server (or servers, comma-separated) holding the carrier's log. */
  natsUrl: string;
  /** CARRIER_SHARD_ADDRESSES: every shard's gRPC address, in shard order (calls about a number go to its owner). */
  addresses: string[];
  /** How long a shard waits for the others' part of a step before it restarts from its snapshot. */
  exchangeTimeoutMs: number;
  /** How long an ingest or a change waits for every shard to make its entry durable before it answers UNAVAILABLE. */
  entryTimeoutMs: number;
  /** CARRIER_LOG_STREAM: the carrier's JetStream stream (its exchange is `<stream>_X`), default CARRIER_<id>. */
  stream: string;
  /** How long the log keeps an entry: longer than the oldest snapshot a shard may restart from. */
  logRetentionMs: number;
}

/** The event gate's settings (EVENT_LATENESS_SEC, EVENT_MAX_AHEAD_SEC), for a gate new or loaded from an image. */
export function gateOptionsOf({ latenessMs, maxAheadMs }: CarrierConfig): EventGateOptions {
  return { latenessMs, maxAheadMs };
}

export function carrierConfig(env: Env): CarrierConfig {
  const carrierId = envEnum(env, 'CARRIER_ID', CARRIER_IDS);
  const province = envString(env, 'CARRIER_PROVINCE', DEFAULT_PROVINCE, provinceProblem);
  // A production carrier never holds the signing key: it is given a token for each service it calls.
  const registry = envPeer(env, 'registry', 'to call the registry');
  const admin = envPeer(env, 'admin', 'to call the administration');
  return {
    carrierId,
    province,
    defaultPort: CARRIER_DEFAULT_PORTS[carrierId],
    defaultMetricsPort: CARRIER_DEFAULT_METRICS_PORTS[carrierId],
    latenessMs: envInt(env, 'EVENT_LATENESS_SEC', 300, 0, 86_400) * 1000,
    maxAheadMs: envInt(env, 'EVENT_MAX_AHEAD_SEC', 120, 0, 3600) * 1000,
    idleEvictionMs: envInt(env, 'IDLE_EVICTION_HOURS', 168, 1, 24 * 365) * 3_600_000,
    snapshotIntervalMs: envInt(env, 'SNAPSHOT_INTERVAL_SEC', 300, 1, 86_400) * 1000,
    registryAddress: registry.address,
    outboxBatch: envInt(env, 'OUTBOX_BATCH', 500, 1, 1000),
    outboxIntervalMs: envInt(env, 'OUTBOX_INTERVAL_MS', 200, 10, 60_000),
    outboxRetentionDays: envInt(env, 'OUTBOX_RETENTION_DAYS', 30, 1, 3650),
    registryTokenFile: registry.tokenFile,
    registryRetryMaxMs: envInt(env, 'REGISTRY_RETRY_MAX_MS', 5000, 100, 600_000),
    adminAddress: admin.address,
    adminTokenFile: admin.tokenFile,
    adminRetryMaxMs: envInt(env, 'ADMIN_RETRY_MAX_MS', 5000, 100, 600_000),
    shards: shardConfig(env, carrierId),
  };
}

/** Shard mode's settings: none without CARRIER_SHARDS; with it, NATS_URL and every shard's address are required. */
function shardConfig(env: Env, carrierId: CarrierId): CarrierShardConfig | undefined {
  if (envOptional(env, 'CARRIER_SHARDS') === undefined) return undefined;
  const count = envInt(env, 'CARRIER_SHARDS', 1, 1, MAX_SHARDS);
  const index = envInt(env, 'CARRIER_SHARD', 0, 0, count - 1);
  const natsUrl = envOptional(env, 'NATS_URL');
  if (natsUrl === undefined)
    throw new ConfigError('NATS_URL', 'is required with CARRIER_SHARDS (the shards share a log)');
  const addresses = (envOptional(env, 'CARRIER_SHARD_ADDRESSES') ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (count > 1 && addresses.length !== count) {
    throw new ConfigError(
      'CARRIER_SHARD_ADDRESSES',
      `needs the ${count} shards' gRPC addresses (host:port, comma-separated, in shard order), got ${addresses.length}`,
    );
  }
  const bad = addresses.find((a) => !/^[A-Za-z0-9.[\]:-]+:\d{1,5}$/.test(a));
  if (bad !== undefined) throw new ConfigError('CARRIER_SHARD_ADDRESSES', `"${bad}" is not host:port`);
  return {
    count,
    index,
    natsUrl,
    addresses,
    exchangeTimeoutMs: envInt(env, 'SHARD_EXCHANGE_TIMEOUT_MS', 10_000, 100, 600_000),
    entryTimeoutMs: envInt(env, 'SHARD_ENTRY_TIMEOUT_MS', 30_000, 100, 600_000),
    stream: envString(env, 'CARRIER_LOG_STREAM', `CARRIER_${carrierId}`, (v) =>
      /^[A-Za-z0-9_-]{1,64}$/.test(v) ? undefined : 'letters, digits, _ and - only (a JetStream stream name)',
    ),
    logRetentionMs: envInt(env, 'CARRIER_LOG_RETENTION_HOURS', 168, 1, 24 * 365) * 3_600_000,
  };
}
