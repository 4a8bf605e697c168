import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { encodeJournalEntry, type CarrierEvent } from '@app/domain';
import { JetStreamLog } from '@app/eventlog';

/** How many entries are published at once (each acknowledged by the server). */
const IN_FLIGHT = 8;

export interface ShardFigure {
  shards: number;
  eventsPerSecond: number;
  /** Decisions taken over all shards: the same at any number of shards. */
  decisions: number;
}

/**
 * Events/s through NATS JetStream with `count` shard processes (scripts/bench/shard-worker.ts): the batches
 * published as the carrier's log (one entry each, acknowledged, IN_FLIGHT at a time) while the shards read it,
 * timed from the first publish to the last shard done with the last entry. Outcomes are counted, not stored.
 */
export async function measureShards(
  batches: readonly CarrierEvent[][],
  count: number,
  servers: string,
  distScripts: string,
): Promise<ShardFigure> {
  const id = `${process.pid}_${Date.now().toString(36)}_${count}`;
  const names = {
    LOG_STREAM: `BENCH_SHARDS_${id}`,
    LOG_PREFIX: `benchshards.${id}.p`,
    EXCHANGE_STREAM: `BENCH_SHARDS_X_${id}`,
    EXCHANGE_PREFIX: `benchshards.${id}.x`,
  };
  const log = await JetStreamLog.open({
    servers,
    stream: names.LOG_STREAM,
    subjectPrefix: names.LOG_PREFIX,
    partitions: 1,
    maxAgeMs: 3_600_000,
  });
  const workers: ChildProcess[] = [];
  const seqs = new Array<number>(count).fill(0);
  const decisions = new Array<number>(count).fill(0);
  let failed: Error | undefined;
  try {
    await Promise.all(
      Array.from({ length: count }, (_, shard) => {
        const worker = fork(path.join(distScripts, 'bench', 'shard-worker.js'), [], {
          env: { ...process.env, ...names, NATS_URL: servers, SHARD: String(shard), SHARDS: String(count) },
        });
        workers.push(worker);
        worker.on('exit', (code) => {
          if (code !== 0 && code !== null) failed ??= new Error(`shard ${shard} exited with ${code}`);
        });
        return new Promise<void>((resolve, reject) => {
          worker.on('message', (message: { ready?: boolean; seq?: number; decisions?: number }) => {
            if (message.ready) resolve();
            if (message.seq !== undefined) {
              seqs[shard] = message.seq;
              decisions[shard] = message.decisions ?? 0;
            }
          });
          worker.on('exit', () => reject(new Error(`shard ${shard} stopped before it was ready`)));
        });
      }),
    );
    const started = performance.now();
    let last = 0;
    let next = 0;
    const publishOne = async (): Promise<void> => {
      while (next < batches.length) {
        const i = next++;
        const events = batches[i];
        let nowMs = 0;
        for (const event of events) if (event.at > nowMs) nowMs = event.at;
        const { seq } = await log.publish(0, encodeJournalEntry({ kind: 'events', nowMs, events }), `b${i}`);
        if (seq > last) last = seq;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, publishOne));
    while (seqs.some((seq) => seq < last)) {
      if (failed) throw failed;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const ms = performance.now() - started;
    const events = batches.reduce((n, b) => n + b.length, 0);
    return { shards: count, eventsPerSecond: (events * 1000) / ms, decisions: decisions.reduce((a, b) => a + b, 0) };
  } finally {
    for (const worker of workers) if (worker.connected) worker.disconnect();
    await Promise.all(
      workers.map((w) => new Promise((resolve) => (w.exitCode === null ? w.on('exit', resolve) : resolve(null)))),
    );
    await log.close();
    const admin = await connect({ servers });
    const jsm = await jetstreamManager(admin);
    for (const stream of [names.LOG_STREAM, names.EXCHANGE_STREAM]) await jsm.streams.delete(stream).catch(() => false);
    await admin.close();
  }
}
