import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Client } from 'pg';
import { DataSource, type EntityManager } from 'typeorm';
import { dedicatedClient } from '@app/persistence';

/** Namespace of the advisory locks by which an engine owns its lineage of evidence. */
const LINEAGE_LOCK_SPACE = 727_010;
/** Namespace of the advisory locks by which a process runs one shard of a carrier. */
export const SHARD_LOCK_SPACE = 727_011;
/** How many lineages a carrier's database may hold (one per engine running at once on it). */
export const MAX_LINEAGES = 64;
/** Journal rows read per query at start-up. */
const REPLAY_PAGE = 2_000;
/** Snapshots kept per lineage: the newest and the one before it, should the newest be unreadable. */
const SNAPSHOTS_KEPT = 2;

/** One journal row: an input that changed the engine, in the order it was applied. */
export interface JournalRow {
  seq: number;
  entry: Uint8Array;
}

/** A stored snapshot: the engine's state after the journal's entries up to `seq`. */
export interface StoredSnapshot {
  id: number;
  seq: number;
  parts: Uint8Array[];
}

/** Where a shard's snapshot stands: after the log's entry `seq`, having read `exchange[k]` of shard k's parts. */
export interface ShardSnapshotRow {
  shards: number;
  shard: number;
  seq: number;
  exchange: number[];
}

/** A snapshot as stored: a lineage's (or, with `shards`, shard `lineage`'s) state after entry `seq`. */
interface SnapshotRow {
  lineage: number;
  seq: number;
  parts: readonly Uint8Array[];
  shards?: number;
  exchange?: readonly number[];
}

/**
 * Owns engine_journal and engine_snapshot (migration 1764400001000): the
 * carrier engine's evidence on disk. An engine writes only the lineage it holds
 * the advisory lock of, on a connection of its own; the lock goes with that
 * connection, also when the process dies.
 */
@Injectable()
export class EvidenceRepository implements OnApplicationShutdown {
  private readonly logger = new Logger(EvidenceRepository.name);
  private lockClient: Client | undefined;
  private held: { space: number; key: number } | undefined;

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Takes the lowest free lineage, or `wanted` again after the database came
   * back (undefined when another engine took it meanwhile). Its lock is held on
   * a connection of its own until release() or the process ends.
   */
  async claimLineage(wanted?: number): Promise<number | undefined> {
    const candidates = wanted === undefined ? [...Array(MAX_LINEAGES).keys()] : [wanted];
    const lineage = await this.lock(LINEAGE_LOCK_SPACE, candidates, 'lineage');
    if (lineage === undefined && wanted === undefined)
      throw new Error(`all ${MAX_LINEAGES} evidence lineages are held by running engines`);
    return lineage;
  }

  /**
   * Takes shard `index`'s lock, so that two processes never run one shard (they would share its durable consumers);
   * false when another process holds it. Held like a lineage's.
   */
  async claimShard(index: number): Promise<boolean> {
    return (await this.lock(SHARD_LOCK_SPACE, [index], 'shard')) !== undefined;
  }

  /** The first of `candidates` whose advisory lock in `space` is free, locked on a connection of its own. */
  private async lock(space: number, candidates: readonly number[], what: string): Promise<number | undefined> {
    await this.release();
    const client = dedicatedClient(this.dataSource, what);
    // A lost connection (the database went away) only means the lock is gone: the engine claims it again.
    client.on('error', (error) => this.logger.warn(`the ${what} lock's connection failed: ${error.message}`));
    await client.connect();
    for (const candidate of candidates) {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [
        space,
        candidate,
      ]);
      if (rows[0].ok) {
        this.lockClient = client;
        this.held = { space, key: candidate };
        return candidate;
      }
    }
    await client.end().catch(() => undefined);
    return undefined;
  }

  /** Whether the lock taken (a lineage's or a shard's) is still held: its connection alive, the lock granted. */
  async holdsLock(): Promise<boolean> {
    if (!this.lockClient || this.held === undefined) return false;
    try {
      const { rows } = await this.lockClient.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_locks
         WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1 AND objid = $2 AND granted`,
        [this.held.space, this.held.key],
      );
      return Number(rows[0].n) > 0;
    } catch {
      return false;
    }
  }

  async release(): Promise<void> {
    const client = this.lockClient;
    this.lockClient = undefined;
    this.held = undefined;
    await client?.end().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.release();
  }

  /** Journal rows in the caller's transaction (the one of the decisions they led to). */
  async appendIn(em: EntityManager, lineage: number, rows: readonly JournalRow[]): Promise<void> {
    if (rows.length === 0) return;
    await em.query(
      `INSERT INTO engine_journal (lineage, seq, entry)
       SELECT $1, s, e FROM unnest($2::bigint[], $3::bytea[]) AS u(s, e)`,
      [
        lineage,
        rows.map((r) => r.seq),
        rows.map((r) => Buffer.from(r.entry.buffer, r.entry.byteOffset, r.entry.length)),
      ],
    );
  }

  /** The newest journal position of the lineage (0: none). */
  async lastSeq(lineage: number): Promise<number> {
    const rows: { seq: string | null }[] = await this.dataSource.query(
      `SELECT max(seq) AS seq FROM engine_journal WHERE lineage = $1`,
      [lineage],
    );
    return Number(rows[0].seq ?? 0);
  }

  /** The journal after `seq`, in order, a page at a time. */
  async forEachAfter(lineage: number, seq: number, each: (rows: JournalRow[]) => void): Promise<number> {
    let after = seq;
    let count = 0;
    for (;;) {
      const rows: { seq: string; entry: Buffer }[] = await this.dataSource.query(
        `SELECT seq, entry FROM engine_journal WHERE lineage = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
        [lineage, after, REPLAY_PAGE],
      );
      if (rows.length === 0) return count;
      const page = rows.map((r) => ({ seq: Number(r.seq), entry: new Uint8Array(r.entry) }));
      for (let i = 0; i < page.length; i++) {
        const expected = after + i + 1;
        if (page[i].seq !== expected)
          throw new Error(`engine_journal of lineage ${lineage} skips from ${expected - 1} to ${page[i].seq}`);
      }
      each(page);
      count += page.length;
      after = page[page.length - 1].seq;
    }
  }

  /** The snapshots of the lineage, newest first, without their parts. */
  async snapshots(lineage: number): Promise<{ id: number; seq: number }[]> {
    const rows: { id: string; seq: string }[] = await this.dataSource.query(
      `SELECT id, seq FROM engine_snapshot WHERE lineage = $1 AND shards IS NULL ORDER BY seq DESC, id DESC`,
      [lineage],
    );
    return rows.map((r) => ({ id: Number(r.id), seq: Number(r.seq) }));
  }

  /** One snapshot's parts, in order: read one at a time (a province's image is hundreds of MB). */
  async snapshotParts(id: number): Promise<Uint8Array[]> {
    const [{ parts }]: { parts: number }[] = await this.dataSource.query(
      `SELECT parts FROM engine_snapshot WHERE id = $1`,
      [id],
    );
    const read: Uint8Array[] = [];
    for (let part = 0; part < parts; part++) {
      const rows: { body: Buffer }[] = await this.dataSource.query(
        `SELECT body FROM engine_snapshot_part WHERE snapshot_id = $1 AND part = $2`,
        [id, part],
      );
      if (rows.length === 0) throw new Error(`snapshot ${id} lacks part ${part} of ${parts}`);
      const { body } = rows[0];
      read.push(new Uint8Array(body.buffer, body.byteOffset, body.length));
    }
    return read;
  }

  /**
   * Stores a snapshot covering the journal up to `seq` (one transaction, a part
   * per row), then drops the snapshots before the last SNAPSHOTS_KEPT and the
   * journal the oldest kept one covers.
   */
  async saveSnapshot(lineage: number, seq: number, parts: readonly Uint8Array[]): Promise<number> {
    const id = await this.insertSnapshot({ lineage, seq, parts });
    await this.prune(lineage);
    return id;
  }

  /**
   * Stores a shard's snapshot: its engine's state after the carrier's log up to `seq`, and where it had read each
   * other shard's exchange partition. Keeps the last SNAPSHOTS_KEPT of the shard, and its shard_entry rows after the
   * oldest of them, or written within the hour (a publisher may still wait for the other shards' rows).
   */
  async saveShardSnapshot(snapshot: ShardSnapshotRow, parts: readonly Uint8Array[]): Promise<number> {
    const { shards, shard, seq, exchange } = snapshot;
    const id = await this.insertSnapshot({ lineage: shard, seq, parts, shards, exchange });
    const kept = (await this.shardSnapshots(shards, shard)).slice(0, SNAPSHOTS_KEPT);
    const oldest = kept[kept.length - 1];
    await this.dataSource.transaction(async (em) => {
      await em.query(`DELETE FROM engine_snapshot WHERE shards = $1 AND lineage = $2 AND id <> ALL($3::bigint[])`, [
        shards,
        shard,
        kept.map((k) => k.id),
      ]);
      // Someone may still wait for an entry's other rows (up to SHARD_ENTRY_TIMEOUT_MS, at most 10 minutes).
      await em.query(
        `DELETE FROM shard_entry WHERE shard = $1 AND seq <= $2 AND written_at < now() - interval '1 hour'`,
        [shard, oldest.seq],
      );
    });
    return id;
  }

  /** Shard `shard` of `shards`' snapshots, newest first, without their parts. */
  async shardSnapshots(shards: number, shard: number): Promise<(ShardSnapshotRow & { id: number })[]> {
    const rows: { id: string; seq: string; exchange: string[] | null }[] = await this.dataSource.query(
      `SELECT id, seq, exchange FROM engine_snapshot WHERE shards = $1 AND lineage = $2 ORDER BY seq DESC, id DESC`,
      [shards, shard],
    );
    return rows.map((r) => ({
      id: Number(r.id),
      shards,
      shard,
      seq: Number(r.seq),
      exchange: (r.exchange ?? []).map(Number),
    }));
  }

  private insertSnapshot(row: SnapshotRow): Promise<number> {
    return this.dataSource.transaction((em) => this.insertSnapshotIn(em, row));
  }

  /** A snapshot's row and parts (a part per row), in the caller's transaction; answers its id. */
  async insertSnapshotIn(em: EntityManager, row: SnapshotRow): Promise<number> {
    const { parts } = row;
    const bytes = parts.reduce((sum, p) => sum + p.length, 0);
    const [inserted]: { id: string }[] = await em.query(
      `INSERT INTO engine_snapshot (lineage, seq, parts, bytes, shards, exchange)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [row.lineage, row.seq, parts.length, bytes, row.shards ?? null, row.exchange ?? null],
    );
    for (let part = 0; part < parts.length; part++) {
      const p = parts[part];
      await em.query(`INSERT INTO engine_snapshot_part (snapshot_id, part, body) VALUES ($1, $2, $3)`, [
        inserted.id,
        part,
        Buffer.from(p.buffer, p.byteOffset, p.length),
      ]);
    }
    return Number(inserted.id);
  }

  private async prune(lineage: number): Promise<void> {
    const kept = (await this.snapshots(lineage)).slice(0, SNAPSHOTS_KEPT);
    if (kept.length === 0) return;
    const oldest = kept[kept.length - 1];
    await this.dataSource.transaction(async (em) => {
      await em.query(`DELETE FROM engine_snapshot WHERE lineage = $1 AND shards IS NULL AND id <> ALL($2::bigint[])`, [
        lineage,
        kept.map((k) => k.id),
      ]);
      await em.query(`DELETE FROM engine_journal WHERE lineage = $1 AND seq <= $2`, [lineage, oldest.seq]);
    });
  }
}
