import type { carrier } from '@app/contracts';
import { partitionOf, msisdnKey, type Msisdn } from '@app/domain';
import { jetstreamManager } from '@nats-io/jetstream';
import { Client } from 'pg';
import { eventually, healthCheck, rowsOf, TcpProxy } from '@app/testing';
import { CarrierHarness, ingest, type CarrierClient } from './carrier-harness';
import { SHARD_LOCK_SPACE } from '../src/analysis/evidence.repository';
import { CarrierProcess } from './carrier-process';
import { send, storedDecisions, storedWarningsAndNotices } from './evidence-file';
import { NATS_URL, shardAddresses, shardBed, shardEnv } from './sharded-carrier';

const RUN = `${process.pid}_${Date.now().toString(36)}`;
const STRANGER = '+8613900000001';

/**
 * One carrier run as N shard processes on one database and one JetStream log (CARRIER_SHARDS), fed the same event
 * file as one plain carrier, through shard 0's address: the same decisions, callee warnings and notices are stored,
 * call setup and explanations answer the same for numbers kept by any shard, and a shard killed with SIGKILL comes
 * back from its snapshot without changing any of it.
 */
describe('a carrier as shard processes over NATS JetStream (e2e)', () => {
  const bed = shardBed('shards');
  const { file, harnesses, processes, streams } = bed;

  /** A carrier database served by `count` shard processes; shard 0 on the harness's address. */
  const shardedCarrier = async (count: number, name: string, natsUrl = NATS_URL) => {
    const harness = await CarrierHarness.start('CTCC');
    harnesses.push(harness);
    await harness.stop();
    const addresses = await shardAddresses(harness, count);
    const stream = `SHARDE2E_${RUN}_${name}`;
    streams.push(stream, `${stream}_X`);
    const start = async (shard: number) => {
      const started = await CarrierProcess.start(
        harness,
        shardEnv(stream, addresses, shard, natsUrl),
        addresses[shard],
      );
      processes.push(started);
      return started;
    };
    const shards = await Promise.all(addresses.map((_, shard) => start(shard)));
    return { harness, shards, start };
  };

  /** The numbers the file makes decisions about, each with the shard that keeps it at `count` shards. */
  const decided = (count: number): { msisdn: Msisdn; shard: number }[] =>
    [...new Set(bed.expected.map((d) => d.msisdn as Msisdn))].map((msisdn) => ({
      msisdn,
      shard: partitionOf(msisdnKey(msisdn), count),
    }));

  const verdicts = async (client: CarrierClient, numbers: readonly Msisdn[]) =>
    Promise.all(
      numbers.map(async (caller) => {
        const answer = await client.checkCall({ caller, callee: STRANGER });
        return `${caller} ${answer.verdict} ${[...answer.reasons].sort().join(',')}`;
      }),
    );
  const states = async (client: CarrierClient, numbers: readonly Msisdn[]) =>
    Promise.all(
      numbers.map(async (msisdn) => {
        const answer: carrier.ExplainNumberResponse = await client.explainNumber({ msisdn, purpose: 'shard e2e' });
        return `${msisdn} ${answer.state} ${answer.decisions.length}`;
      }),
    );

  it('the file decides about numbers on every shard, of every step', () => {
    const text = JSON.stringify(bed.expected);
    for (const action of ['MONITOR', 'WARN', 'RESTRICT']) expect(text).toContain(`"action":"${action}"`);
    expect(new Set(decided(3).map((d) => d.shard))).toEqual(new Set([0, 1, 2]));
  });

  it.each([1, 3])('%i shard process(es) store what one carrier does, and answer for every number', async (count) => {
    const { harness } = await shardedCarrier(count, `n${count}`);
    await send(harness.client(), file.streams);
    expect(await storedDecisions(harness.db.url)).toEqual(bed.expected);
    expect(await storedWarningsAndNotices(harness.db.url)).toEqual(bed.expectedNotices);
    // Through shard 0, for numbers every shard keeps: call setup and explanations as the plain carrier gives them.
    const numbers = decided(count).map((d) => d.msisdn);
    expect(await verdicts(harness.client(), numbers)).toEqual(await verdicts(bed.reference.client(), numbers));
    expect(await states(harness.client(), numbers)).toEqual(await states(bed.reference.client(), numbers));
    // Each explanation is audited once, by the shard that served it, whichever shard it was sent to.
    const audited = await rowsOf<{ target: string; lines: string }>(
      harness.db.url,
      `SELECT target, count(*) AS lines FROM audit_event
       WHERE action = 'fraud.carrier.v1.CarrierService/ExplainNumber' AND purpose = 'shard e2e' GROUP BY target`,
    );
    expect(audited).toHaveLength(numbers.length);
    expect(audited.filter((a) => Number(a.lines) !== 1)).toEqual([]);
    const entries = await rowsOf<{ shards: string }>(
      harness.db.url,
      `SELECT count(DISTINCT shard) AS shards FROM shard_entry`,
    );
    expect(Number(entries[0].shards)).toBe(count);
  });

  it('a shard process killed with SIGKILL mid-file comes back from its snapshot; nothing changes', async () => {
    const { harness, shards, start } = await shardedCarrier(3, 'kill');
    const half = Math.floor(file.streams.length / 2);
    await send(harness.client(), file.streams.slice(0, half));
    // Its snapshots come every second: let one cover part of what it did.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await shards[2].kill();
    // The next stream waits for shard 2 (the others give up on its parts and restart meanwhile), then is answered.
    const waiting = ingest(harness.client(), file.streams[half]);
    const restarted = await start(2);
    await waiting;
    expect(restarted.output()).toMatch(/follows the log from snapshot at log entry \d+/);
    await send(harness.client(), file.streams.slice(half + 1));
    expect(await storedDecisions(harness.db.url)).toEqual(bed.expected);
    expect(await storedWarningsAndNotices(harness.db.url)).toEqual(bed.expectedNotices);
  });

  it('NATS gone mid-file: ingest is UNAVAILABLE, the shards wait, a resend completes once it is back', async () => {
    const proxy = await TcpProxy.start({ host: new URL(NATS_URL).hostname, port: Number(new URL(NATS_URL).port) });
    try {
      const { harness } = await shardedCarrier(3, 'outage', proxy.through(NATS_URL));
      const health = () => healthCheck(harness.address, '');
      const half = Math.floor(file.streams.length / 2);
      await send(harness.client(), file.streams.slice(0, half));
      await proxy.cut();
      // Every publish fails at once while the log cannot be reached: nothing of the stream is taken.
      await expect(ingest(harness.client(), file.streams[half])).rejects.toMatchObject({ code: 14 });
      // Health says so: nothing can be ingested or changed while the log is away.
      expect(await eventually(health, (state) => state === 'NOT_SERVING')).toBe('NOT_SERVING');
      await proxy.restore();
      expect(await eventually(health, (state) => state === 'SERVING')).toBe('SERVING');
      // The shards' connections come back by themselves; the same stream is sent again, then the rest.
      await eventuallyAnswered(() => ingest(harness.client(), file.streams[half]));
      await send(harness.client(), file.streams.slice(half + 1));
      expect(await storedDecisions(harness.db.url)).toEqual(bed.expected);
      expect(await storedWarningsAndNotices(harness.db.url)).toEqual(bed.expectedNotices);
    } finally {
      await proxy.close();
    }
  });

  it('a shard whose lock connection drops takes it back; displaced by another holder, stops until free', async () => {
    const { harness } = await shardedCarrier(1, 'lock');
    const health = () => healthCheck(harness.address, '');
    const third = Math.floor(file.streams.length / 3);
    await send(harness.client(), file.streams.slice(0, third));
    const db = new Client({ connectionString: harness.db.url });
    const other = new Client({ connectionString: harness.db.url, application_name: 'another_process' });
    await Promise.all([db.connect(), other.connect()]);
    try {
      /** The backends holding shard 0's lock. */
      const holders = async () =>
        (
          await db.query<{ pid: number; name: string }>(
            `SELECT a.pid, a.application_name AS name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
             WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = 0 AND l.granted
               AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
            [SHARD_LOCK_SPACE],
          )
        ).rows;
      const cut = (pid: number) => db.query('SELECT pg_terminate_backend($1)', [pid]);
      const [first] = await holders();
      expect(first.name).toMatch(/_shard$/);

      // Its connection cut, nobody else waiting: the shard takes its lock back on a new one and goes on serving.
      await cut(first.pid);
      const back = await eventually(holders, (rows) => rows.length === 1 && rows[0].pid !== first.pid);
      expect(back[0].name).toMatch(/_shard$/);
      expect(await health()).toBe('SERVING');

      // Another process waits for the lock, and gets it when the connection is cut: the shard stops (NOT_SERVING).
      const waiting = other.query('SELECT pg_advisory_lock($1, 0)', [SHARD_LOCK_SPACE]);
      await eventually(
        async () => (await db.query(`SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted`)).rows[0].n,
        (n) => n > 0,
      );
      await cut(back[0].pid);
      await waiting;
      expect((await holders()).map((h) => h.name)).toEqual(['another_process']);
      expect(await eventually(health, (state) => state === 'NOT_SERVING')).toBe('NOT_SERVING');
      await other.query('SELECT pg_advisory_unlock($1, 0)', [SHARD_LOCK_SPACE]);
      // Free again: it takes the lock, runs the shard from its newest snapshot, and the file ends as it should.
      expect(await eventually(health, (state) => state === 'SERVING')).toBe('SERVING');
      expect((await holders()).map((h) => h.name)).toEqual([expect.stringMatching(/_shard$/)]);
      await eventuallyAnswered(() => ingest(harness.client(), file.streams[third]));
      await send(harness.client(), file.streams.slice(third + 1));
      expect(await storedDecisions(harness.db.url)).toEqual(bed.expected);
      expect(await storedWarningsAndNotices(harness.db.url)).toEqual(bed.expectedNotices);
    } finally {
      await Promise.all([db.end(), other.end()]);
    }
  });

  it('a change whose transaction failed after it was made is answered, on retry, by its first outcome', async () => {
    const { harness } = await shardedCarrier(1, 'once');
    await send(harness.client(), file.streams);
    const restricted = bed.expected.find((d) => d.action === 'RESTRICT')!.msisdn as Msisdn;
    // The appeal's row fails once, after the engine's change was made (a sequence: not rolled back with it).
    await rowsOf(
      harness.db.url,
      `CREATE SEQUENCE fail_once;
       GRANT USAGE ON SEQUENCE fail_once TO PUBLIC;
       CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF nextval('fail_once') = 1 THEN RAISE EXCEPTION 'the database failed'; END IF; RETURN NEW; END $$;
       CREATE TRIGGER fail_once BEFORE INSERT ON appeal FOR EACH ROW EXECUTE FUNCTION fail_once();`,
    );
    const appeal = { idempotencyKey: 'appeal-once-1', msisdn: restricted, upheld: true, reference: 'case 7' };
    await expect(harness.client().resolveAppeal(appeal)).rejects.toMatchObject({ code: 13 });
    const entries = async () => (await (await jetstreamManager(bed.nats)).streams.info(streams.at(-2)!)).state.messages;
    const before = await entries();
    const retried = await harness.client().resolveAppeal(appeal);
    // The retry is the first command's entry again: nothing new in the log, the change made once, the row stored.
    expect(await entries()).toBe(before);
    expect(retried).toMatchObject({ outcome: 'APPEAL_OUTCOME_UPHELD', replayed: false });
    const rows = await rowsOf<{ n: string }>(
      harness.db.url,
      `SELECT count(*) AS n FROM appeal WHERE idempotency_key = $1`,
      [appeal.idempotencyKey],
    );
    expect(Number(rows[0].n)).toBe(1);
  });
});

/** Calls `send` until it is answered (UNAVAILABLE while the shards reconnect), for up to 30 s. */
async function eventuallyAnswered<T>(send: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await send();
    } catch (error) {
      if ((error as { code?: number }).code !== 14 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
