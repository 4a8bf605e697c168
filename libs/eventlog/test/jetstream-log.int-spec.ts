import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  EventLogRewoundError,
  EventLogTruncatedError,
  EventLogUnavailableError,
  JetStreamLog,
  type JetStreamLogOptions,
  type LogConsumption,
  type LogMessage,
} from '@app/eventlog';
import { freePort, TcpProxy, until } from '@app/testing';

// The NATS server with JetStream of .ci/run (or NATS_URL): every test gets streams of its own, deleted after.
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const RUN = `${process.pid}_${Date.now().toString(36)}`;
let streamCount = 0;

let admin: NatsConnection;
let jsm: JetStreamManager;
const streams: string[] = [];
const opened: JetStreamLog[] = [];

beforeAll(async () => {
  admin = await connect({ servers: NATS_URL, name: 'eventlog-test-admin' });
  jsm = await jetstreamManager(admin);
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((log) => log.close()));
  for (const stream of streams.splice(0)) await jsm.streams.delete(stream).catch(() => undefined);
});

afterAll(async () => {
  await admin.close();
});

/** Options for a stream of this test alone, with short waits so that retries show within a test. */
function freshOptions(partitions: number, overrides: Partial<JetStreamLogOptions> = {}): JetStreamLogOptions {
  const id = `${RUN}_${++streamCount}`;
  streams.push(`EVENTLOG_TEST_${id}`);
  return {
    servers: NATS_URL,
    stream: `EVENTLOG_TEST_${id}`,
    subjectPrefix: `eventlogtest.${id}.p`,
    partitions,
    maxAgeMs: 3_600_000,
    ackWaitMs: 2_000,
    retryDelayMs: 200,
    requestTimeoutMs: 2_000,
    firstReconnectDelayMs: 100,
    maxReconnectDelayMs: 500,
    ...overrides,
  };
}

async function open(options: JetStreamLogOptions): Promise<JetStreamLog> {
  const log = await JetStreamLog.open(options);
  opened.push(log);
  return log;
}

const text = (s: string) => new TextEncoder().encode(s);
const textOf = (message: LogMessage) => new TextDecoder().decode(message.payload);

/** Consumes a partition into an array; `handle` may throw to refuse a message. */
async function collect(
  log: JetStreamLog,
  partition: number,
  fromSeq: number,
  handle: (message: LogMessage) => void = () => undefined,
): Promise<{ seen: LogMessage[]; consumption: LogConsumption }> {
  const seen: LogMessage[] = [];
  const consumption = await log.consume(partition, 'shard', fromSeq, async (message) => {
    seen.push(message);
    handle(message);
  });
  return { seen, consumption };
}

const seenCount = (seen: unknown[], count: number, what: string) =>
  until(async () => seen.length >= count, `${count} ${what}`, 15_000);

describe('JetStreamLog', () => {
  it('hands each partition its messages in order, with their sequences', async () => {
    const log = await open(freshOptions(4));
    const published: Array<{ partition: number; seq: number; body: string }> = [];
    for (let i = 0; i < 30; i++) {
      const partition = i % 3; // partition 3 stays empty
      const body = `p${partition}-${i}`;
      const { seq, duplicate } = await log.publish(partition, text(body), `batch-${i}`);
      expect(duplicate).toBe(false);
      published.push({ partition, seq, body });
    }

    for (const partition of [0, 1, 2]) {
      const expected = published.filter((message) => message.partition === partition);
      const { seen } = await collect(log, partition, 0);
      await seenCount(seen, expected.length, `messages of partition ${partition}`);
      expect(seen.map((message) => ({ seq: message.seq, body: textOf(message), again: message.redelivered }))).toEqual(
        expected.map(({ seq, body }) => ({ seq, body, again: false })),
      );
      expect(await log.lastSeq(partition)).toBe(expected.at(-1)!.seq);
    }
    expect(await log.lastSeq(3)).toBe(0);
    expect(log.partitions).toBe(4);
  });

  it('stores a message published twice under one id once', async () => {
    const log = await open(freshOptions(2));
    const first = await log.publish(1, text('batch'), 'request-7/batch-0');
    const retry = await log.publish(1, text('batch'), 'request-7/batch-0');
    expect(retry).toEqual({ seq: first.seq, duplicate: true });
    await log.publish(1, text('next'), 'request-7/batch-1');

    const { seen } = await collect(log, 1, 0);
    await seenCount(seen, 2, 'messages');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.map(textOf)).toEqual(['batch', 'next']);
  });

  it('resumes from a snapshot sequence after close and reopen, whatever was acknowledged before', async () => {
    const options = freshOptions(1);
    const log = await open(options);
    const seqs: number[] = [];
    for (let i = 1; i <= 5; i++) seqs.push((await log.publish(0, text(`m${i}`), `m${i}`)).seq);
    const { seen: before } = await collect(log, 0, 0);
    await seenCount(before, 5, 'messages');
    await log.close();

    // A shard whose snapshot covers m3 restarts: it must get m4 and m5 again, though all five were acknowledged.
    const reopened = await open(options);
    const { seen: after } = await collect(reopened, 0, seqs[2]);
    await seenCount(after, 2, 'messages after the snapshot');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(after.map((message) => [message.seq, textOf(message)])).toEqual([
      [seqs[3], 'm4'],
      [seqs[4], 'm5'],
    ]);
  });

  it('gives a message whose handler threw again, before anything later', async () => {
    const log = await open(freshOptions(1));
    for (let i = 1; i <= 3; i++) await log.publish(0, text(`m${i}`), `m${i}`);
    let failures = 0;
    const { seen } = await collect(log, 0, 0, (message) => {
      if (textOf(message) === 'm2' && failures++ < 2) throw new Error('database down');
    });
    await seenCount(seen, 5, 'deliveries');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.map((message) => [textOf(message), message.redelivered])).toEqual([
      ['m1', false],
      ['m2', false],
      ['m2', true],
      ['m2', true],
      ['m3', false],
    ]);
  });

  it('ends a consumption, saying why, when another one replaces its consumer', async () => {
    const log = await open(freshOptions(1));
    await log.publish(0, text('m1'), 'm1');
    const { seen, consumption } = await collect(log, 0, 0);
    await seenCount(seen, 1, 'message');
    const { seen: replacement } = await collect(log, 0, 0);
    expect(await consumption.ended).toBeInstanceOf(Error);
    await seenCount(replacement, 1, 'message of the replacement');
  });

  it('refuses to resume past messages its retention already deleted', async () => {
    const options = freshOptions(1);
    const log = await open(options);
    for (let i = 1; i <= 4; i++) await log.publish(0, text(`m${i}`), `m${i}`);
    await jsm.streams.purge(options.stream, { seq: 3 }); // as max age would: m1 and m2 are gone
    await expect(log.consume(0, 'shard', 1, async () => undefined)).rejects.toBeInstanceOf(EventLogTruncatedError);
    const { seen } = await collect(log, 0, 2); // a snapshot covering m2 resumes fine
    await seenCount(seen, 2, 'messages');
  });

  it('refuses to resume after a sequence the log never reached (a recreated stream)', async () => {
    const log = await open(freshOptions(2));
    const { seq } = await log.publish(1, text('m1'), 'm1');
    await expect(log.consume(0, 'shard', seq + 10, async () => undefined)).rejects.toBeInstanceOf(EventLogRewoundError);
    await expect(log.consume(0, 'shard', seq, async () => undefined)).resolves.toBeDefined();
  });

  it('keeps a stream to the partition count it was created with', async () => {
    const options = freshOptions(4);
    await open(options);
    await expect(JetStreamLog.open({ ...options, partitions: 8 })).rejects.toThrow(/re-shard/);
  });

  it('refuses settings the server would refuse, before connecting', async () => {
    const options = freshOptions(1, { maxAgeMs: 60_000 });
    await expect(JetStreamLog.open(options)).rejects.toThrow('duplicateWindowMs is longer than maxAgeMs');
    await expect(JetStreamLog.open({ ...options, maxAgeMs: 0 })).rejects.toThrow(RangeError);
  });

  it('says the log is unavailable when no server answers', async () => {
    const closedPort = await freePort();
    const options = freshOptions(1, { servers: `nats://127.0.0.1:${closedPort}` });
    const error: unknown = await JetStreamLog.open(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventLogUnavailableError);
    expect(error).toMatchObject({ kind: 'UNAVAILABLE' });
  });

  it('fails publishing while the server is cut off, and consumes again once it is back', async () => {
    const server = new URL(NATS_URL);
    const proxy = await TcpProxy.start({ host: server.hostname, port: Number(server.port || 4222) });
    try {
      const options = freshOptions(1);
      const direct = await open(options);
      const log = await open({ ...options, servers: `nats://127.0.0.1:${proxy.port}` });
      await log.publish(0, text('before'), 'before');
      const { seen } = await collect(log, 0, 0);
      await seenCount(seen, 1, 'message before the cut');

      await proxy.cut();
      // The first publish may wait out its timeout (the cut not noticed yet); once it is, publishing fails at once.
      await expect(log.publish(0, text('cut'), 'cut')).rejects.toBeInstanceOf(EventLogUnavailableError);
      const startedAt = Date.now();
      await expect(log.publish(0, text('cut'), 'cut')).rejects.toThrow('the event log is unavailable');
      expect(Date.now() - startedAt).toBeLessThan(options.requestTimeoutMs! / 2);
      await direct.publish(0, text('during'), 'during');

      await proxy.restore();
      await seenCount(seen, 2, 'messages after the restore');
      await until(
        () =>
          log.publish(0, text('after'), 'after').then(
            () => true,
            () => false,
          ),
        'publishing to work again',
      );
      await seenCount(seen, 3, 'messages');
      expect(seen.map(textOf)).toEqual(['before', 'during', 'after']);

      // A service shutting down during an outage does not hang on its log.
      await proxy.cut();
      await log.close();
    } finally {
      await proxy.close();
    }
  });
});
