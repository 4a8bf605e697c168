import './register-aliases'; // must stay first: the modules below are compiled with @app/* specifiers
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AnalysisEngine, DEFAULT_POLICY, encodeJournalEntry, fixtures, type CarrierEvent } from '@app/domain';
import { encodeEvents, ingestBatches, streamIngest } from './bench/ingest';
import { formatNumber } from './bench/report';
import { BenchEnvironment, sql, type BenchService } from './bench/services';
import { measureServiceShards } from './bench/service-shards';
import { measureShards } from './bench/shards';

/**
 * `npm run bench:scale`: what one carrier holds and how fast it goes at a
 * province's scale (BENCH_SUBSCRIBERS, default 1,000,000, over BENCH_DAYS 2):
 *
 * - the engine alone: events/s, in this process, on bench:replay's population
 *   (100,000 subscribers) already in memory;
 * - a carrier process (dist, as `npm start` runs it) ingesting the population
 *   over IngestEvents with its journal: events/s, and its peak resident memory
 *   per subscriber;
 * - the journal's work per event (encoding, bytes, rows, on the same 100,000
 *   subscribers' batches) against the ingest's time per event;
 * - restart time: after SIGTERM (the snapshot at shut-down, nothing to replay),
 *   and after kill -9 with the journal of the last BENCH_TAIL_SHARE of the
 *   events to replay;
 * - shards through NATS JetStream (NATS_URL, default nats://127.0.0.1:4222): the
 *   100,000 subscribers' batches as a carrier's log, read by BENCH_SHARDS (1,2,4)
 *   shard processes that exchange each round's parts; outcomes counted, not
 *   stored (the runner alone);
 * - the carrier service in shard mode: BENCH_SERVICE_SHARDS (1,2) processes
 *   on one database and a log of their own, fed those batches over one
 *   IngestEvents stream through shard 0, every outcome stored.
 *
 * BENCH_SCALE_ONLY=shards runs the engine and shard figures alone. Writes
 * bench-results/bench-scale-<date>.json and prints a table.
 */
const DIST = path.resolve(__dirname, '..');
/** bench:replay's population: the engine's and the journal's speed per event. */
const ENGINE_SUBSCRIBERS = 100_000;

interface Row {
  figure: string;
  value: string;
  note: string;
}

async function main(): Promise<void> {
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 1_000_000);
  const days = Number(process.env.BENCH_DAYS ?? 2);
  const tailShare = Number(process.env.BENCH_TAIL_SHARE ?? 0.05);
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data', 'bench');
  mkdirSync(dataDir, { recursive: true });
  const print = (line: string) => console.log(line);
  const started = new Date();
  const load0 = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  print(
    `npm run bench:scale: ${subscribers.toLocaleString('en')} subscribers over ${days} days; ` +
      `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, ` +
      `Node ${process.version}, load average ${load0}, ${started.toISOString()}`,
  );
  const rows: Row[] = [];

  // The engine alone and the journal's own work, on bench:replay's population (their cost per event does not
  // depend on the population's size, and a million subscribers' events held in this process would make its
  // garbage collector, not the engine, the figure).
  const sample = fixtures.population({
    subscribers: ENGINE_SUBSCRIBERS,
    days,
    heavyPerMille: 5,
    fraudPerMille: 2,
    seed: 1,
  });
  const engineRate = measureEngine(sample.events, print);
  rows.push({
    figure: 'engine alone',
    value: `${formatNumber(engineRate)} events/s`,
    note: `${formatNumber(ENGINE_SUBSCRIBERS)} subscribers' events in memory, one core`,
  });
  const sampleBatches = ingestBatches(sample.events);
  sample.events.length = 0;

  // BENCH_SCALE_ONLY=shards: the shard figures alone (the carrier's take most of the run).
  if (process.env.BENCH_SCALE_ONLY !== 'shards') {
    const pop = fixtures.population({ subscribers, days, heavyPerMille: 5, fraudPerMille: 2, seed: 1 });
    const batches = ingestBatches(pop.events);
    const cut = Math.floor(batches.length * (1 - tailShare));
    const head = batches.slice(0, cut);
    const tail = batches.slice(cut);
    const headEvents = head.reduce((n, b) => n + b.length, 0);
    const tailEvents = tail.reduce((n, b) => n + b.length, 0);
    const headLoad = encodeEvents(head);
    const tailLoad = encodeEvents(tail);
    print(`population: ${headEvents + tailEvents} events in ${batches.length} messages (${tail.length} for the tail)`);

    const env = await BenchEnvironment.open(DIST, process.env, dataDir, (line) => print(`  ${line}`));
    try {
      const token = env.token('carrier:CTCC');
      const db = await env.freshDatabase('bench_scale_ctcc');
      const settings = { CARRIER_ID: 'CTCC', SNAPSHOT_INTERVAL_SEC: '86400' };
      let carrier = await env.start('carrier', 'carrier-ctcc', db, settings);

      const { ms } = await streamIngest(carrier.address, token, headLoad);
      const ingestRate = (headEvents * 1000) / ms;
      const peak = peakResidentBytes(carrier);
      print(`ingest (1 process, journal on): ${formatNumber(ingestRate)} events/s; peak RSS ${mb(peak)}`);
      rows.push({
        figure: 'ingest, 1 process, journal on',
        value: `${formatNumber(ingestRate)} events/s`,
        note: 'IngestEvents, batches of 500, decisions durable',
      });
      rows.push({
        figure: 'bytes per subscriber (carrier process, peak RSS)',
        value: formatNumber(peak / subscribers),
        note: `${mb(peak)} after ${formatNumber(headEvents)} events`,
      });

      const journal = await journalWork(sampleBatches, db);
      const ingestMsPerEvent = ms / headEvents;
      rows.push({
        figure: 'journal: bytes per event, rows',
        value: `${journal.bytesPerEvent.toFixed(1)} B`,
        note: `${formatNumber(journal.rows)} rows for ${formatNumber(journal.events)} events`,
      });
      rows.push({
        figure: 'journal: work per event / ingest time per event',
        value: (journal.msPerEvent / ingestMsPerEvent).toFixed(3),
        note:
          `encoding ${(journal.encodeMsPerEvent * 1e3).toFixed(2)} µs ` +
          `+ writing ${(journal.writeMsPerEvent * 1e3).toFixed(2)} µs an event, ` +
          `against ${(ingestMsPerEvent * 1e3).toFixed(2)} µs; ingest without it at most ` +
          `${(1 / (1 - journal.msPerEvent / ingestMsPerEvent)).toFixed(2)}× faster`,
      });

      // Restart after SIGTERM: the snapshot taken at shut-down holds everything.
      await carrier.stop();
      const snapshot = await snapshotSize(db);
      let restart = await timedStart(env, db, settings);
      carrier = restart.service;
      print(`restart after SIGTERM: ${(restart.ms / 1000).toFixed(1)} s (snapshot ${mb(snapshot)})`);
      rows.push({
        figure: 'restart after SIGTERM (snapshot only)',
        value: `${(restart.ms / 1000).toFixed(1)} s`,
        note: `snapshot of ${mb(snapshot)} for ${formatNumber(subscribers)} subscribers`,
      });

      // Restart after kill -9: the snapshot and the journal of the tail.
      await streamIngest(carrier.address, token, tailLoad);
      process.kill(carrier.pid, 'SIGKILL');
      await carrier.stop();
      const tailRows = await sql<{ n: string }>(
        db,
        `SELECT count(*) AS n FROM engine_journal WHERE seq > (SELECT max(seq) FROM engine_snapshot)`,
      );
      restart = await timedStart(env, db, settings);
      carrier = restart.service;
      print(`restart after kill -9: ${(restart.ms / 1000).toFixed(1)} s (${tailRows[0].n} journal rows to replay)`);
      rows.push({
        figure: 'restart after kill -9 (snapshot + journal)',
        value: `${(restart.ms / 1000).toFixed(1)} s`,
        note: `${formatNumber(tailEvents)} events of journal replayed (${tailShare * 100}% of the file)`,
      });
      await carrier.stop();
    } finally {
      await env.close();
    }
  }

  const servers = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const counts = (process.env.BENCH_SHARDS ?? '1,2,4').split(',').map(Number);
  for (const count of counts) {
    const figure = await measureShards(sampleBatches, count, servers, path.join(DIST, 'scripts'));
    print(`${count} shard(s) through JetStream: ${formatNumber(figure.eventsPerSecond)} events/s`);
    rows.push({
      figure: `shards through NATS JetStream: ${count}`,
      value: `${formatNumber(figure.eventsPerSecond)} events/s`,
      note:
        `${formatNumber(ENGINE_SUBSCRIBERS)} subscribers' log, ${cpus().length} cores for the shards, NATS and the ` +
        `publisher; ${formatNumber(figure.decisions)} decisions (the same at any count); not stored`,
    });
  }

  const serviceCounts = (process.env.BENCH_SERVICE_SHARDS ?? '1,2').split(',').filter(Boolean).map(Number);
  if (serviceCounts.length > 0) {
    const env = await BenchEnvironment.open(DIST, process.env, dataDir, (line) => print(`  ${line}`));
    try {
      const load = encodeEvents(sampleBatches);
      for (const count of serviceCounts) {
        const figure = await measureServiceShards(env, load, count, servers);
        print(`carrier service, ${count} shard process(es): ${formatNumber(figure.eventsPerSecond)} events/s`);
        rows.push({
          figure: `carrier service in shard mode: ${count}`,
          value: `${formatNumber(figure.eventsPerSecond)} events/s`,
          note:
            `${formatNumber(ENGINE_SUBSCRIBERS)} subscribers' batches on one IngestEvents stream to shard 0; ` +
            `${formatNumber(figure.decisions)} decisions stored; ` +
            `PostgreSQL, NATS and the shards on ${cpus().length} cores`,
        });
      }
    } finally {
      await env.close();
    }
  }

  const width = Math.max(...rows.map((r) => r.figure.length));
  const valueWidth = Math.max(...rows.map((r) => r.value.length));
  for (const r of rows) print(`${r.figure.padEnd(width)}  ${r.value.padStart(valueWidth)}  ${r.note}`);
  print(
    `load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const out = path.resolve('bench-results', `bench-scale-${started.toISOString().slice(0, 10)}.json`);
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ started, subscribers, days, loadAverage: load0, rows }, null, 2)}\n`);
  print(`written to ${path.relative(process.cwd(), out)}`);
}

/** The engine's events/s on the population, processed in memory (no parsing, no I/O). */
function measureEngine(events: readonly CarrierEvent[], print: (line: string) => void): number {
  const engine = new AnalysisEngine({ policy: DEFAULT_POLICY, carrier: 'CTCC' });
  const started = performance.now();
  let decisions = 0;
  for (let i = 0; i < events.length; i++) decisions += engine.process(events[i]).decisions.length;
  const ms = performance.now() - started;
  const rate = (events.length * 1000) / ms;
  print(
    `engine: ${events.length} events in ${(ms / 1000).toFixed(1)} s = ${formatNumber(rate)} events/s, ` +
      `${decisions} decisions`,
  );
  return rate;
}

interface JournalWork {
  rows: number;
  events: number;
  bytesPerEvent: number;
  encodeMsPerEvent: number;
  writeMsPerEvent: number;
  msPerEvent: number;
}

/**
 * The journal's own work on these batches: encoding each as the carrier does
 * and writing the rows to a table like engine_journal, 64 to a statement as the
 * writer groups them.
 */
async function journalWork(batches: readonly CarrierEvent[][], databaseUrl: string): Promise<JournalWork> {
  const events = batches.reduce((n, b) => n + b.length, 0);
  let started = performance.now();
  const entries = batches.map((batch) => encodeJournalEntry({ kind: 'events', nowMs: Date.now(), events: batch }));
  const encodeMs = performance.now() - started;
  const bytes = entries.reduce((n, e) => n + e.length, 0);
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  let writeMs: number;
  try {
    await client.query(`CREATE TABLE bench_journal (LIKE engine_journal INCLUDING ALL)`);
    started = performance.now();
    for (let i = 0; i < entries.length; i += 64) {
      const group = entries.slice(i, i + 64);
      await client.query(
        `INSERT INTO bench_journal (lineage, seq, entry)
         SELECT 0, s, e FROM unnest($1::bigint[], $2::bytea[]) AS u(s, e)`,
        [group.map((_, j) => i + j + 1), group.map((e) => Buffer.from(e.buffer, e.byteOffset, e.length))],
      );
    }
    writeMs = performance.now() - started;
    await client.query(`DROP TABLE bench_journal`);
  } finally {
    await client.end();
  }
  return {
    rows: entries.length,
    events,
    bytesPerEvent: bytes / events,
    encodeMsPerEvent: encodeMs / events,
    writeMsPerEvent: writeMs / events,
    msPerEvent: (encodeMs + writeMs) / events,
  };
}

async function snapshotSize(databaseUrl: string): Promise<number> {
  const rows = await sql<{ bytes: string }>(
    databaseUrl,
    `SELECT bytes FROM engine_snapshot ORDER BY seq DESC, id DESC LIMIT 1`,
  );
  return Number(rows[0]?.bytes ?? 0);
}

/** Starts the carrier again on its database; the time from the spawn until it serves. */
async function timedStart(
  env: BenchEnvironment,
  databaseUrl: string,
  settings: Record<string, string>,
): Promise<{ ms: number; service: BenchService }> {
  const started = performance.now();
  const service = await env.start('carrier', 'carrier-ctcc', databaseUrl, settings);
  return { ms: performance.now() - started, service };
}

/** The peak resident set of a service process (VmHWM), in bytes. */
function peakResidentBytes(service: BenchService): number {
  const status = readFileSync(`/proc/${service.pid}/status`, 'utf8');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status);
  return kib ? Number(kib[1]) * 1024 : Number.NaN;
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(0)} MB`;
}

main().catch((error: unknown) => {
  console.error(`bench:scale: ${(error as Error).stack ?? (error as Error).message}`);
  process.exitCode = 1;
});
