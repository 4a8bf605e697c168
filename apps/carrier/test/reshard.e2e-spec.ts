import { jetstreamManager } from '@nats-io/jetstream';
import { DataSource } from 'typeorm';
import { rowsOf } from '@app/testing';
import { reshardSnapshots, ReshardRefused, type ReshardSummary } from '../src/shard/reshard-snapshots';
import { parseArguments, runReshard } from '../../../scripts/reshard-cli';
import { CarrierHarness } from './carrier-harness';
import { send, storedDecisions, storedWarningsAndNotices } from './evidence-file';
import { NATS_URL, shardBed, startShards } from './sharded-carrier';

const RUN = `${process.pid}_${Date.now().toString(36)}`;

/**
 * The offline re-shard (apps/carrier/src/shard/reshard-snapshots.ts, `npm run reshard`): a carrier run as 3 shard
 * processes takes part of an event file, is stopped with SIGTERM, re-sharded to 2, takes more as 2 shard processes,
 * is stopped and re-sharded to 3 and takes the rest: it stores exactly the decisions, callee warnings and notices of
 * one plain carrier fed the whole file. A shard still running, or snapshots of different log entries, are refused
 * with nothing changed.
 */
describe('re-sharding a stopped carrier offline (e2e)', () => {
  const bed = shardBed('reshard');
  const { file, harnesses, processes, streams } = bed;

  /** A stopped carrier harness (its database migrated) and a log stream of its own. */
  const carrier = async (name: string) => {
    const harness = await CarrierHarness.start('CTCC');
    harnesses.push(harness);
    await harness.stop();
    const stream = `RESHARDE2E_${RUN}_${name}`;
    streams.push(stream, `${stream}_X`);
    return { harness, stream };
  };

  const reshardTo = async (url: string, stream: string, to: number): Promise<ReshardSummary> => {
    const dataSource = new DataSource({ type: 'postgres', url });
    await dataSource.initialize();
    try {
      return await reshardSnapshots(dataSource, bed.nats, { carrierId: 'CTCC', to, stream });
    } finally {
      await dataSource.destroy();
    }
  };

  /** `npm run reshard -- <argv>` on the carrier database `url`: its exit code and what it wrote. */
  const command = async (url: string, stream: string, argv: string[]) => {
    const [out, err]: string[][] = [[], []];
    const env = { CARRIER_CTCC_DATABASE_URL: url, NATS_URL, CARRIER_LOG_STREAM: stream };
    const code = await runReshard(
      parseArguments(argv),
      env,
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { code, out, err };
  };

  /** What a re-shard could change: the shard snapshots and shard_entry rows. */
  const shardRows = (url: string) =>
    rowsOf(
      url,
      `SELECT 'snapshot' AS kind, id, shards, lineage, seq, exchange, bytes FROM engine_snapshot
       WHERE shards IS NOT NULL
       UNION ALL SELECT 'entry', seq, shard, NULL, NULL, NULL, decisions FROM shard_entry ORDER BY 1, 2, 3`,
    );
  const streamExists = async (name: string) =>
    (await jetstreamManager(bed.nats)).streams.info(name).then(
      () => true,
      () => false,
    );

  it('3 shards stopped and re-sharded to 2, then to 3, store what one carrier does', async () => {
    const { harness, stream } = await carrier('move');
    const url = harness.db.url;
    const [first, second] = [Math.floor(file.streams.length / 3), Math.floor((2 * file.streams.length) / 3)];
    let shards = await startShards(harness, stream, 3, processes);
    await send(harness.client(), file.streams.slice(0, first));
    // Shard 0 still running: refused, nothing changed.
    await Promise.all([shards[1].stop(), shards[2].stop()]);
    // Shard 0 stores its snapshot of the last entry within a second, then nothing until the next entry.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const before = await shardRows(url);
    await expect(reshardTo(url, stream, 2)).rejects.toThrow(
      new ReshardRefused(
        'shard(s) 0 of CTCC are running: stop every shard process of the carrier (SIGTERM, when idle) first',
      ),
    );
    expect(await shardRows(url)).toEqual(before);
    expect(await streamExists(`${stream}_X`)).toBe(true);
    await shards[0].stop();

    const entries =
      'SELECT seq, count(*) AS rows, sum(decisions) AS decisions FROM shard_entry GROUP BY seq ORDER BY seq';
    const entriesBefore = await rowsOf<{ seq: string; rows: string; decisions: string }>(url, entries);
    // A snapshot of 2 shards from an earlier time (of an exchange long gone) does not outlive the re-shard.
    await rowsOf(url, `INSERT INTO engine_snapshot (lineage, seq, parts, bytes, shards) VALUES (1, 1, 0, 0, 2)`);
    const toTwo = await reshardTo(url, stream, 2);
    expect(toTwo).toMatchObject({ from: 3, to: 2, exchangeDeleted: true });
    expect(toTwo.shards.map((s) => s.shard)).toEqual([0, 1]);
    expect(toTwo.shards.every((s) => s.numbers > 0 && s.bytes > 0)).toBe(true);
    expect(await streamExists(`${stream}_X`)).toBe(false);
    const snapshots = await rowsOf<{ shards: number; lineage: number; seq: string; exchange: string[] }>(
      url,
      `SELECT shards, lineage, seq, exchange FROM engine_snapshot WHERE shards IS NOT NULL ORDER BY lineage`,
    );
    expect(snapshots.map((s) => [s.shards, s.lineage, Number(s.seq), s.exchange.map(Number)])).toEqual([
      [2, 0, toTwo.entry, [0, 0]],
      [2, 1, toTwo.entry, [0, 0]],
    ]);
    // Two rows per entry now, answering with the same decisions (a change sent again is answered from them).
    expect(await rowsOf(url, entries)).toEqual(entriesBefore.map((e) => ({ ...e, rows: '2' })));
    expect(entriesBefore.every((e) => e.rows === '3')).toBe(true);

    // They start within the log's duplicate window (2 minutes): the high-risk cell list each sends as it starts is the
    // entry already there, answered from its regrouped shard_entry rows (with none, they would wait for ever).
    shards = await startShards(harness, stream, 2, processes);
    for (const shard of shards)
      expect(shard.output()).toContain(`of 2 follows the log from snapshot at log entry ${toTwo.entry}`);
    await send(harness.client(), file.streams.slice(first, second));
    await Promise.all(shards.map((s) => s.stop()));

    // This time through the command's own code (npm run reshard), on the carrier's database variable.
    const cli = await command(url, stream, ['--carrier', 'ctcc', '--to', '3']);
    expect(cli).toMatchObject({ code: 0, err: [] });
    expect(cli.out[0]).toMatch(/^reshard: CTCC from 2 to 3 shards at log entry \d+ \([\d.]+ MB of snapshots\)$/);
    expect(cli.out).toContain(`  deleted the exchange stream ${stream}_X (the new shards create it with 3 partitions)`);
    shards = await startShards(harness, stream, 3, processes);
    await send(harness.client(), file.streams.slice(second));
    expect(await storedDecisions(url)).toEqual(bed.expected);
    expect(await storedWarningsAndNotices(url)).toEqual(bed.expectedNotices);
    await Promise.all(shards.map((s) => s.stop()));
  });

  it('refuses snapshots of different entries, none, a count out of range or no log, changing nothing', async () => {
    const { harness, stream } = await carrier('refuse');
    const url = harness.db.url;
    await expect(reshardTo(url, stream, 2)).rejects.toThrow(/no shard snapshots: it never ran as shards/);
    await rowsOf(
      url,
      `INSERT INTO engine_snapshot (lineage, seq, parts, bytes, shards, exchange)
       VALUES (0, 40, 0, 0, 3, '{0,0,0}'), (1, 40, 0, 0, 3, '{0,0,0}'), (2, 38, 0, 0, 3, '{0,0,0}'),
              (2, 35, 0, 0, 3, '{0,0,0}')`,
    );
    await rowsOf(url, `INSERT INTO shard_entry (seq, shard, decisions, outcome) VALUES (40, 0, 0, '{}')`);
    const before = await shardRows(url);
    await expect(reshardTo(url, stream, 2)).rejects.toThrow(
      new ReshardRefused(
        'the newest snapshots of the 3 shards are not of the same log entry (shard 0 at entry 40, shard 1 at ' +
          'entry 40, shard 2 at entry 38). Start the carrier again and stop it when idle with SIGTERM: every ' +
          'shard then stores a snapshot at the end of the log',
      ),
    );
    await expect(reshardTo(url, stream, 3)).rejects.toThrow(/already runs on 3 shard\(s\)/);
    expect(await command(url, stream, ['--carrier', 'CTCC', '--to', '2'])).toEqual({
      code: 1,
      out: [],
      err: [expect.stringMatching(/^reshard: refused, nothing changed: the newest snapshots of the 3 shards are not/)],
    });
    for (const to of [0, 65, 1.5])
      await expect(reshardTo(url, stream, to)).rejects.toThrow(/a carrier runs on 1 to 64/);
    expect(await shardRows(url)).toEqual(before);
    // All at one entry, but of a log stream the NATS server does not have (a wrong CARRIER_LOG_STREAM?).
    await rowsOf(url, `UPDATE engine_snapshot SET seq = 40 WHERE seq = 38`);
    const aligned = await shardRows(url);
    await expect(reshardTo(url, stream, 2)).rejects.toThrow(
      new ReshardRefused(`the log stream ${stream} is not on the NATS server (CARRIER_LOG_STREAM?)`),
    );
    expect(await shardRows(url)).toEqual(aligned);
  });
});
