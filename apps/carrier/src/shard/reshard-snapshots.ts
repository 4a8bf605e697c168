import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DataSource, QueryRunner } from 'typeorm';
import { AnalysisEngine, reshard, type CarrierId, type ShardImage } from '@app/domain';
import { EvidenceRepository, SHARD_LOCK_SPACE } from '../analysis/evidence.repository';
import { MAX_SHARDS } from '../config/carrier-ports';
import { PoliciesRepository } from '../policies/policies.repository';

export interface ReshardSnapshotsOptions {
  /** The carrier, e.g. CTCC (its engine options name it). */
  carrierId: CarrierId;
  /** How many shards it is to run on. */
  to: number;
  /** Its log stream on JetStream (CARRIER_LOG_STREAM); its shards' exchange is `<stream>_X`. */
  stream: string;
}

/** One new shard's snapshot. */
export interface NewShard {
  shard: number;
  /** The numbers it keeps. */
  numbers: number;
  bytes: number;
}

export interface ReshardSummary {
  from: number;
  to: number;
  /** The log entry every snapshot covers: the new shards resume after it. */
  entry: number;
  shards: NewShard[];
  /** Whether the exchange stream `<stream>_X` was there to delete. */
  exchangeDeleted: boolean;
}

/** Why nothing was changed: the carrier is running, its snapshots do not fit, or the shard count asked for. */
export class ReshardRefused extends Error {}

/**
 * The offline re-shard (docs/operations.md#re-sharding-a-carrier): the newest snapshots of a stopped carrier's N
 * shards, all of the same log entry, made into M new ones (reshard) in one transaction that also deletes the N old
 * shards' snapshots and regroups their shard_entry rows (regroupEntryRows); then the shards' exchange stream, whose
 * partition count was N, is deleted (the new shards create it with M). The log stream stays: it is the journal the
 * new shards resume from. Every shard's advisory lock is held from the checks to the end, so no shard starts
 * meanwhile. Refuses (ReshardRefused), changing nothing, when a shard runs, the snapshots are missing or of different
 * entries, the log stream does not reach their entry, or M is not 1..64 or is N.
 */
export async function reshardSnapshots(
  dataSource: DataSource,
  nats: NatsConnection,
  options: ReshardSnapshotsOptions,
): Promise<ReshardSummary> {
  const { to, stream, carrierId } = options;
  if (!Number.isInteger(to) || to < 1 || to > MAX_SHARDS)
    throw new ReshardRefused(`--to ${to}: a carrier runs on 1 to ${MAX_SHARDS} shards`);
  const evidence = new EvidenceRepository(dataSource);
  const from = await shardCount(dataSource);
  if (to === from) throw new ReshardRefused(`${carrierId} already runs on ${from} shard(s): nothing to do`);
  const jsm = await jetstreamManager(nats);
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await holdShardLocks(runner, Math.max(from, to), carrierId);
    const stored = await Promise.all(
      Array.from({ length: from }, async (_, shard) => (await evidence.shardSnapshots(from, shard))[0]),
    );
    const missing = stored.findIndex((s) => s === undefined);
    if (missing >= 0) throw new ReshardRefused(`shard ${missing} of ${from} has no snapshot: start and stop it first`);
    const entry = stored[0].seq;
    if (stored.some((s) => s.seq !== entry))
      throw new ReshardRefused(
        `the newest snapshots of the ${from} shards are not of the same log entry (` +
          stored.map((s) => `shard ${s.shard} at entry ${s.seq}`).join(', ') +
          '). Start the carrier again and stop it when idle with SIGTERM: every shard then stores a snapshot at ' +
          'the end of the log',
      );
    await checkLog(jsm, stream, entry);
    const images: ShardImage[] = [];
    for (const s of stored) {
      const [gate, ...engine] = await evidence.snapshotParts(s.id);
      images.push({ entry, gate, engine });
    }
    const engineOptions = await new PoliciesRepository(dataSource).imageOptions(images[0].engine, carrierId);
    const made = reshard(engineOptions, images, { from, to });
    const shards = made.map((image, shard) => ({
      shard,
      numbers: AnalysisEngine.fromImage(engineOptions, image.engine).keptNumbers().size,
      bytes: image.engine.reduce((sum, p) => sum + p.length, image.gate.length),
    }));
    await replaceSnapshots(runner, evidence, from, made);
    let exchangeDeleted: boolean;
    try {
      exchangeDeleted = await deleteStream(jsm, `${stream}_X`);
      // The log's durable consumers of shards that no longer exist would only hold the server's memory.
      for (let shard = to; shard < from; shard++) await deleteConsumer(jsm, stream, `shard-${shard}-p0`);
    } catch (error) {
      throw new Error(
        `the snapshots are re-sharded to ${to} (log entry ${entry}), but the exchange stream ${stream}_X could not ` +
          `be deleted (${(error as Error).message}): delete it (nats stream rm ${stream}_X) before starting the shards`,
        { cause: error },
      );
    }
    return { from, to, entry, shards, exchangeDeleted };
  } finally {
    // The session goes back to the pool: its locks are let go first.
    await runner.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await runner.release();
  }
}

/** The shard count of the newest shard snapshots; refused when there are none. */
async function shardCount(dataSource: DataSource): Promise<number> {
  const rows: { shards: number; seq: string }[] = await dataSource.query(
    `SELECT shards, max(seq) AS seq FROM engine_snapshot WHERE shards IS NOT NULL GROUP BY shards ORDER BY 2 DESC`,
  );
  if (rows.length === 0)
    throw new ReshardRefused('the carrier has no shard snapshots: it never ran as shards (CARRIER_SHARDS)');
  if (rows.length > 1 && rows[0].seq === rows[1].seq)
    throw new ReshardRefused(
      `snapshots of ${rows.map((r) => `${r.shards} shards (entry ${r.seq})`).join(' and ')} are equally new: ` +
        'which count is in use is unclear',
    );
  return Number(rows[0].shards);
}

/** Takes shards 0..count-1's locks on the runner's session, refusing when a running shard holds one. */
async function holdShardLocks(runner: QueryRunner, count: number, carrierId: string): Promise<void> {
  const running: number[] = [];
  for (let shard = 0; shard < count; shard++) {
    const [{ ok }]: { ok: boolean }[] = await runner.query('SELECT pg_try_advisory_lock($1, $2) AS ok', [
      SHARD_LOCK_SPACE,
      shard,
    ]);
    if (!ok) running.push(shard);
  }
  if (running.length > 0)
    throw new ReshardRefused(
      `shard(s) ${running.join(', ')} of ${carrierId} are running: stop every shard process of the carrier ` +
        '(SIGTERM, when idle) first',
    );
}

/** Refuses when the log stream is not there or does not reach `entry` (the new shards would resume after it). */
async function checkLog(jsm: JetStreamManager, stream: string, entry: number): Promise<void> {
  let last: number;
  try {
    last = (await jsm.streams.info(stream)).state.last_seq;
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)
      throw new ReshardRefused(`the log stream ${stream} is not on the NATS server (CARRIER_LOG_STREAM?)`);
    throw error;
  }
  if (last < entry)
    throw new ReshardRefused(`the log stream ${stream} ends at entry ${last}, before the snapshots' ${entry}`);
}

/** In one transaction: the new shards' snapshots in, the old shards' (and any older ones of `to` shards) out. */
async function replaceSnapshots(
  runner: QueryRunner,
  evidence: EvidenceRepository,
  from: number,
  made: readonly ShardImage[],
): Promise<void> {
  await runner.startTransaction();
  try {
    // Snapshots of `to` shards from an earlier time would name an exchange that is gone: the new ones stand alone.
    await runner.query(`DELETE FROM engine_snapshot WHERE shards = ANY($1::smallint[])`, [[from, made.length]]);
    await regroupEntries(runner, made.length);
    for (const [shard, image] of made.entries())
      await evidence.insertSnapshotIn(runner.manager, {
        lineage: shard,
        seq: image.entry,
        parts: [image.gate, ...image.engine],
        shards: made.length,
        exchange: new Array<number>(made.length).fill(0),
      });
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}

/** A shard_entry row as stored: its outcome as the JSON it is (BatchOutcome, or a command's result). */
export interface StoredEntryRow {
  seq: number;
  shard: number;
  decisions: number;
  outcome: Record<string, unknown> & { decisions?: unknown[]; evicted?: number; about?: unknown };
  writtenAt: Date;
}

/**
 * The old shards' shard_entry rows made into `to` rows per entry that answer the same. They are more than history: a
 * change sent again within the log's duplicate window (JetStream's, 2 minutes; e.g. the high-risk cells every shard
 * sends as it starts) is the entry already there, and its caller is answered from that entry's rows, once there is
 * one per shard. Each entry's new rows carry its owner's outcome (the row that says where its number stands, else
 * shard 0's); its decisions (their count, and a command's list and evictions) all go on shard 0's row, in shard order,
 * so that the sums and lists a caller gets are those of the old rows whichever shard owns the number now. Each row is
 * dated when the last old one was written: they age out as the old ones would have.
 */
export function regroupEntryRows(rows: readonly StoredEntryRow[], to: number): StoredEntryRow[] {
  const bySeq = new Map<number, StoredEntryRow[]>();
  for (const row of [...rows].sort((a, b) => a.seq - b.seq || a.shard - b.shard))
    bySeq.set(row.seq, [...(bySeq.get(row.seq) ?? []), row]);
  const regrouped: StoredEntryRow[] = [];
  for (const [seq, old] of bySeq) {
    const owner = (old.find((r) => r.outcome.about !== undefined) ?? old[0]).outcome;
    const writtenAt = new Date(Math.max(...old.map((r) => r.writtenAt.getTime())));
    const total = {
      decisions: old.reduce((n, r) => n + r.decisions, 0),
      list: old.flatMap((r) => r.outcome.decisions ?? []),
      evicted: old.reduce((n, r) => n + (r.outcome.evicted ?? 0), 0),
    };
    for (let shard = 0; shard < to; shard++) {
      const first = shard === 0;
      regrouped.push({
        seq,
        shard,
        decisions: first ? total.decisions : 0,
        outcome: {
          ...owner,
          ...(owner.decisions === undefined ? {} : { decisions: first ? total.list : [] }),
          ...(owner.evicted === undefined ? {} : { evicted: first ? total.evicted : 0 }),
        },
        writtenAt,
      });
    }
  }
  return regrouped;
}

/** regroupEntryRows on the table, in the caller's transaction. */
async function regroupEntries(runner: QueryRunner, to: number): Promise<void> {
  const stored: { seq: string; shard: number; decisions: number; outcome: StoredEntryRow['outcome']; at: Date }[] =
    await runner.query(`SELECT seq, shard, decisions, outcome, written_at AS at FROM shard_entry`);
  const rows = regroupEntryRows(
    stored.map((r) => ({ ...r, seq: Number(r.seq), writtenAt: r.at })),
    to,
  );
  await runner.query(`DELETE FROM shard_entry`);
  await runner.query(
    `INSERT INTO shard_entry (seq, shard, decisions, outcome, written_at)
     SELECT * FROM unnest($1::bigint[], $2::smallint[], $3::integer[], $4::jsonb[], $5::timestamptz[])`,
    [
      rows.map((r) => r.seq),
      rows.map((r) => r.shard),
      rows.map((r) => r.decisions),
      rows.map((r) => JSON.stringify(r.outcome)),
      rows.map((r) => r.writtenAt.toISOString()),
    ],
  );
}

async function deleteStream(jsm: JetStreamManager, name: string): Promise<boolean> {
  try {
    return await jsm.streams.delete(name);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) return false;
    throw error;
  }
}

async function deleteConsumer(jsm: JetStreamManager, stream: string, name: string): Promise<void> {
  await jsm.consumers.delete(stream, name).catch((error: unknown) => {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)) throw error;
  });
}
