import type { carrier } from '@app/contracts';
import { eventually, healthCheck, rowsOf, TcpProxy } from '@app/testing';
import { CarrierHarness, ingest, type CarrierClient } from './carrier-harness';
import { CarrierProcess } from './carrier-process';
import { evidenceFile, send, storedDecisions, storedWarningsAndNotices } from './evidence-file';

/**
 * A carrier process killed with SIGKILL at several points, or cut off from its
 * PostgreSQL mid-ingest, then sent the rest of the file (from the first stream
 * it did not answer): its decisions are byte for byte those of a run that was
 * never interrupted.
 */
describe('carrier evidence under kill -9 and a database outage (e2e, a carrier process)', () => {
  const file = evidenceFile('crash');
  let reference: CarrierHarness;
  let expected: Record<string, unknown>[];
  let expectedNotices: Record<string, unknown>[];
  const harnesses: CarrierHarness[] = [];
  const processes: CarrierProcess[] = [];

  beforeAll(async () => {
    reference = await CarrierHarness.start('CTCC');
    await send(reference.client(), file.streams);
    expected = await storedDecisions(reference.db.url);
    expectedNotices = await storedWarningsAndNotices(reference.db.url);
  });
  afterAll(async () => {
    for (const p of processes) await p.kill();
    for (const h of harnesses) await h.close();
    await reference.close();
  });

  /** A carrier database and address, served by a process of its own. */
  const carrierProcess = async (env: Record<string, string> = {}, reach?: (url: string) => string) => {
    const harness = await CarrierHarness.start('CTCC', { env, reach });
    harnesses.push(harness);
    await harness.stop();
    return harness;
  };
  const run = async (harness: CarrierHarness): Promise<CarrierProcess> => {
    const started = await CarrierProcess.start(harness);
    processes.push(started);
    return started;
  };
  const journalled = async (harness: CarrierHarness): Promise<number> =>
    Number((await rowsOf<{ n: string }>(harness.db.url, `SELECT count(*) AS n FROM engine_journal`))[0].n);

  /**
   * Writes the first `sent` batches of a stream and leaves it open; with `settled`, waits until they are journalled,
   * else returns at once (the kill then lands while they are being analysed and written).
   */
  const halfSent = async (
    harness: CarrierHarness,
    client: CarrierClient,
    stream: carrier.Event[][],
    sent: number,
    settled = true,
  ) => {
    const before = await journalled(harness);
    const call = client.ingestEvents();
    call.response.catch(() => undefined);
    for (const events of stream.slice(0, sent)) await call.write({ events });
    if (!settled) return;
    expect(
      await eventually(
        () => journalled(harness),
        (n) => n >= before + sent,
        // Generous: on a loaded box the compiled-from-source process can take long over its first batches.
        30_000,
      ),
    ).toBe(before + sent);
  };
  /** What the restarted process says it loaded. */
  const loadedFrom = (started: CarrierProcess): string =>
    started.lines.find((l) => l.includes('analysis ready')) ?? started.output();

  it.each<[string, number, number, boolean, Record<string, string>]>([
    ['right after a stream was answered, journal only', 2, 0, true, {}],
    ['in the middle of a stream, after snapshots every second', 4, 3, true, { SNAPSHOT_INTERVAL_SEC: '1' }],
    ['while a stream is still being analysed and written', 5, 5, false, {}],
  ])('kill -9 %s: the same decisions as an uninterrupted run', async (_what, stream, batches, settled, env) => {
    const harness = await carrierProcess(env);
    let proc = await run(harness);
    await send(harness.client(), file.streams.slice(0, stream));
    if (batches > 0) await halfSent(harness, harness.client(), file.streams[stream], batches, settled);
    if (env.SNAPSHOT_INTERVAL_SEC) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const [{ seq }] = await rowsOf<{ seq: string }>(harness.db.url, `SELECT max(seq) AS seq FROM engine_snapshot`);
      expect(Number(seq)).toBeGreaterThan(0);
    }
    await proc.kill();
    proc = await run(harness);
    expect(loadedFrom(proc)).toMatch(/snapshot at journal \d+ and \d+ journal entries after it/);
    await send(harness.client(), file.streams.slice(stream));
    expect(await storedDecisions(harness.db.url)).toEqual(expected);
    expect(await storedWarningsAndNotices(harness.db.url)).toEqual(expectedNotices);
  });

  it('kill -9 twice, the second time right after the restart: the same decisions', async () => {
    const harness = await carrierProcess();
    let proc = await run(harness);
    await send(harness.client(), file.streams.slice(0, 3));
    await halfSent(harness, harness.client(), file.streams[3], 2);
    await proc.kill();
    proc = await run(harness);
    await proc.kill();
    proc = await run(harness);
    expect(loadedFrom(proc)).toMatch(/snapshot at journal/);
    await send(harness.client(), file.streams.slice(3));
    expect(await storedDecisions(harness.db.url)).toEqual(expected);
  });

  it('PostgreSQL cut off mid-ingest: UNAVAILABLE, NOT_SERVING, the process lives; the resend analysed', async () => {
    const proxy = await TcpProxy.toTestDatabaseServer();
    try {
      const harness = await carrierProcess({ DATABASE_HEALTH_INTERVAL_MS: '200' }, (url) => proxy.through(url));
      const proc = await run(harness);
      const client = harness.client();
      await send(client, file.streams.slice(0, 3));

      const call = client.ingestEvents();
      const [first, second, ...rest] = file.streams[3];
      await call.write({ events: first });
      await call.write({ events: second });
      await proxy.cut();
      for (const events of rest) await call.write({ events }).catch(() => undefined);
      call.end();
      await expect(call.response).rejects.toMatchObject({ code: 14 });
      const down = async () => healthCheck(harness.address, '');
      expect(await eventually(down, (s) => s === 'NOT_SERVING', 5_000)).toBe('NOT_SERVING');
      expect(await healthCheck(harness.address, 'dependency/analysis')).toBe('NOT_SERVING');
      // Changes are refused while the engine cannot be made durable, with a status a client retries.
      await expect(ingest(client, [file.streams[3][0]])).rejects.toMatchObject({ code: 14 });

      await proxy.restore();
      expect(await eventually(down, (s) => s === 'SERVING', 10_000)).toBe('SERVING');
      // The stream that failed is sent again, whole: what was not durable is analysed, not refused.
      const resent = await ingest(client, file.streams[3]);
      expect(resent.accepted).toBeGreaterThan(0);
      expect(resent.late).toBe(0);
      await send(client, file.streams.slice(4));
      expect(await storedDecisions(harness.db.url)).toEqual(expected);
      expect(proc.lines.join('\n')).not.toMatch(/unhandled|UnhandledPromiseRejection/i);
    } finally {
      await proxy.close();
    }
  });
});
