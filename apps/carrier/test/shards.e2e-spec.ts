import type { carrier } from '@app/contracts';
import { partitionOf, msisdnKey, type Msisdn } from '@app/domain';
import { jetstreamManager } from '@nats-io/jetstream';
import { eventually, healthCheck, rowsOf, TcpProxy } from '@app/testing';
import { CarrierHarness, ingest, type CarrierClient } from './carrier-harness';
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
