import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StorageType,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import {
  ClosedConnectionError,
  ConnectionError,
  DrainingConnectionError,
  NoRespondersError,
  RequestError,
  TimeoutError,
  connect,
  nanos,
  type NatsConnection,
} from '@nats-io/transport-node';
import {
  EventLogRewoundError,
  EventLogTruncatedError,
  EventLogUnavailableError,
  type EventLog,
  type LogConsumption,
  type LogHandler,
  type Published,
} from './event-log';

export interface JetStreamLogOptions {
  /** NATS_URL: one or more `host:port` or `nats://host:port`. */
  servers: string | string[];
  /** The carrier's stream, e.g. CARRIER_CTCC (see `carrierLogNames`). */
  stream: string;
  /** Partition p is the subject `<subjectPrefix>.<p>`, e.g. carrier.CTCC.p.3. */
  subjectPrefix: string;
  /** CARRIER_SHARDS: fixed when the stream is created (changing it is a re-shard). */
  partitions: number;
  /** How long the stream keeps a message: longer than the oldest snapshot a shard may resume from. Default 7 days. */
  maxAgeMs?: number;
  /** How long a msgId is remembered to drop a retried publish. Default 2 minutes (JetStream's). */
  duplicateWindowMs?: number;
  /** Server copies of the stream (a JetStream cluster); 1 on a single server. */
  replicas?: number;
  /**
   * How long a delivered message may stay unacknowledged before the server sends it again: longer than a handler
   * ever takes. It is also how long a partition stalls after an acknowledgement lost with the connection. Default 30 s.
   */
  ackWaitMs?: number;
  /**
   * How many times a message is delivered before the server gives up on it and moves on. Default -1 (never gives up):
   * skipping a message would lose its events, so a message that always fails stops its partition instead (alert on it).
   */
  maxDeliver?: number;
  /** The pause before a message whose handler threw comes again. Default 1 s. */
  retryDelayMs?: number;
  /** How long a publish, or a request to set the stream or a consumer up, waits for the server. Default 5 s. */
  requestTimeoutMs?: number;
  /** Reconnect pauses, doubling from the first to the longest (jittered). Defaults 250 ms and 5 s. */
  firstReconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** The client name the server's monitoring shows, e.g. carrier-CTCC-shard-3. */
  connectionName?: string;
}

/** The stream and subject names of a carrier's log: CARRIER_CTCC, carrier.CTCC.p.<partition>. */
export function carrierLogNames(carrierId: string): { stream: string; subjectPrefix: string } {
  return { stream: `CARRIER_${carrierId}`, subjectPrefix: `carrier.${carrierId}.p` };
}

type Settled = Required<Omit<JetStreamLogOptions, 'connectionName'>>;

const NAME = /^[A-Za-z0-9_-]+$/;
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** NATS 2.9 streams have no metadata: the partition count is kept in the description, checked at every open. */
const PARTITIONS_MARK = /\bpartitions=(\d+)\b/;
/** Messages a consumption may hold on the client; the server still hands out one at a time (max_ack_pending 1). */
const PULL_BATCH = 64;
/** A connection that stops answering pings (a link down without a reset) is given up after about 30 s. */
const PING_INTERVAL_MS = 10_000;
const MAX_PINGS_OUT = 3;

/**
 * The event log on NATS JetStream (server 2.9 or later): one stream per carrier with a subject per partition, file
 * storage, limits-based retention by age, publish deduplication by `Nats-Msg-Id`, and one durable pull consumer per
 * (consumer name, partition) with explicit acknowledgements and at most one message in flight, which is what keeps a
 * partition in order through failures. The connection reconnects forever; while it is down, publishing fails at once
 * with EventLogUnavailableError and consumptions wait.
 */
export class JetStreamLog implements EventLog {
  private readonly js: JetStreamClient;
  private readonly consumptions = new Set<JetStreamConsumption>();
  private connected = true;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly options: Settled,
    onReconnect: () => void,
  ) {
    this.js = jsm.jetstream();
    void this.followStatus(onReconnect);
  }

  get partitions(): number {
    return this.options.partitions;
  }

  /**
   * Connects, and creates the stream or brings its retention settings up to date.
   * @throws EventLogUnavailableError when the server cannot be reached (no retry here: the caller decides).
   * @throws Error when the stream holds another partition count or other subjects.
   */
  static async open(options: JetStreamLogOptions): Promise<JetStreamLog> {
    const settled = settle(options);
    const firstDelay = settled.firstReconnectDelayMs;
    let reconnects = 0;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: settled.servers,
        name: options.connectionName,
        timeout: settled.requestTimeoutMs,
        maxReconnectAttempts: -1,
        // Called before each attempt; the count restarts once connected (followStatus).
        reconnectDelayHandler: () => {
          const ceiling = Math.min(settled.maxReconnectDelayMs, firstDelay * 2 ** Math.min(reconnects++, 20));
          return Math.round(ceiling * (0.5 + Math.random() / 2));
        },
        pingInterval: PING_INTERVAL_MS,
        maxPingOut: MAX_PINGS_OUT,
      });
    } catch (error) {
      throw new EventLogUnavailableError('connect', error);
    }
    try {
      const jsm = await jetstreamManager(nc, { timeout: settled.requestTimeoutMs });
      await ensureStream(jsm, settled);
      return new JetStreamLog(nc, jsm, settled, () => (reconnects = 0));
    } catch (error) {
      await nc.close();
      throw asUnavailable('open', error);
    }
  }

  async publish(partition: number, payload: Uint8Array, msgId: string): Promise<Published> {
    const subject = this.subjectOf(partition);
    if (msgId.length === 0) throw new RangeError('publish: a message needs an id');
    // Waiting out a reconnect would hold the caller's request for the whole timeout: fail now, it may retry.
    if (!this.connected) throw new EventLogUnavailableError('publish: not connected');
    try {
      const ack = await this.js.publish(subject, payload, { msgID: msgId, timeout: this.options.requestTimeoutMs });
      return { seq: ack.seq, duplicate: ack.duplicate };
    } catch (error) {
      throw asUnavailable('publish', error);
    }
  }

  async consume(
    partition: number,
    consumerName: string,
    fromSeq: number,
    handler: LogHandler,
  ): Promise<LogConsumption> {
    const subject = this.subjectOf(partition);
    if (!NAME.test(consumerName)) throw new RangeError(`consume: consumer name ${JSON.stringify(consumerName)}`);
    if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) throw new RangeError(`consume: from sequence ${fromSeq}`);
    const { stream } = this.options;
    const durable = `${consumerName}-p${partition}`;
    let messages: ConsumerMessages;
    try {
      const { state } = await this.jsm.streams.info(stream);
      if (state.last_seq < fromSeq) throw new EventLogRewoundError(fromSeq, state.last_seq);
      if (state.first_seq > fromSeq + 1) throw new EventLogTruncatedError(partition, fromSeq, state.first_seq);
      // A durable consumer cannot be moved on NATS 2.9 (consumer reset needs 2.14): replace it.
      await this.jsm.consumers.delete(stream, durable).catch((error: unknown) => {
        if (!isApiError(error, JetStreamApiCodes.ConsumerNotFound)) throw error;
      });
      await this.jsm.consumers.add(stream, {
        durable_name: durable,
        description: `partition ${partition} from sequence ${fromSeq + 1}`,
        filter_subject: subject,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: fromSeq + 1,
        ack_policy: AckPolicy.Explicit,
        ack_wait: nanos(this.options.ackWaitMs),
        max_deliver: this.options.maxDeliver,
        max_ack_pending: 1,
        replay_policy: ReplayPolicy.Instant,
      });
      const consumer = await this.js.consumers.get(stream, durable);
      // Its durable consumer gone means another consumption of the partition replaced it: end rather than share it.
      messages = await consumer.consume({ max_messages: PULL_BATCH, abort_on_missing_resource: true });
    } catch (error) {
      throw asUnavailable('consume', error);
    }
    const consumption = new JetStreamConsumption(messages, fromSeq, handler, this.options.retryDelayMs);
    this.consumptions.add(consumption);
    void consumption.ended.then(() => this.consumptions.delete(consumption));
    return consumption;
  }

  async lastSeq(partition: number): Promise<number> {
    const subject = this.subjectOf(partition);
    try {
      const last = await this.jsm.streams.getMessage(this.options.stream, { last_by_subj: subject });
      return last?.seq ?? 0;
    } catch (error) {
      throw asUnavailable('lastSeq', error);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumptions].map((consumption) => consumption.stop()));
    if (!this.nc.isClosed()) await this.nc.close();
  }

  private async followStatus(onReconnect: () => void): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.connected = false;
      if (status.type === 'reconnect') {
        this.connected = true;
        onReconnect();
      }
    }
  }

  private subjectOf(partition: number): string {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.options.partitions)
      throw new RangeError(`partition ${partition} of ${this.options.partitions}`);
    return `${this.options.subjectPrefix}.${partition}`;
  }
}

/**
 * One partition's messages through one handler, strictly one after the other: `handler` resolves, then the message
 * is acknowledged and the server hands out the next; `handler` throws, then the message is refused with a pause and
 * comes again before anything else (max_ack_pending 1).
 */
class JetStreamConsumption implements LogConsumption {
  readonly ended: Promise<Error | undefined>;
  private stopping = false;

  constructor(
    private readonly messages: ConsumerMessages,
    fromSeq: number,
    handler: LogHandler,
    retryDelayMs: number,
  ) {
    this.ended = this.run(fromSeq, handler, retryDelayMs);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages.close();
    await this.ended;
  }

  private async run(fromSeq: number, handler: LogHandler, retryDelayMs: number): Promise<Error | undefined> {
    let handled = fromSeq;
    try {
      for await (const message of this.messages) {
        if (this.stopping) break;
        // Already handled here, its acknowledgement lost (a reconnect, an ack wait overrun): only acknowledge it.
        if (message.seq <= handled) {
          message.ack();
          continue;
        }
        try {
          await handler({ seq: message.seq, payload: message.data, redelivered: message.redelivered });
        } catch {
          message.nak(retryDelayMs);
          continue;
        }
        message.ack();
        handled = message.seq;
      }
      const closed = await this.messages.closed();
      return this.stopping || !(closed instanceof Error) ? undefined : closed;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }
}

function settle(options: JetStreamLogOptions): Settled {
  const { stream, subjectPrefix, partitions } = options;
  if (!NAME.test(stream)) throw new RangeError(`stream name ${JSON.stringify(stream)}`);
  if (!SUBJECT_PREFIX.test(subjectPrefix)) throw new RangeError(`subject prefix ${JSON.stringify(subjectPrefix)}`);
  if (!Number.isInteger(partitions) || partitions < 1) throw new RangeError(`${partitions} partitions`);
  const settled: Settled = {
    servers: options.servers,
    stream,
    subjectPrefix,
    partitions,
    maxAgeMs: options.maxAgeMs ?? 7 * 86_400_000,
    duplicateWindowMs: options.duplicateWindowMs ?? 120_000,
    replicas: options.replicas ?? 1,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    maxDeliver: options.maxDeliver ?? -1,
    retryDelayMs: options.retryDelayMs ?? 1_000,
    requestTimeoutMs: options.requestTimeoutMs ?? 5_000,
    firstReconnectDelayMs: options.firstReconnectDelayMs ?? 250,
    maxReconnectDelayMs: options.maxReconnectDelayMs ?? 5_000,
  };
  for (const [name, value] of Object.entries(settled))
    if (name.endsWith('Ms') && !(typeof value === 'number' && Number.isInteger(value) && value > 0))
      throw new RangeError(`${name} ${String(value)}`);
  // The server refuses to remember message ids for longer than it keeps the messages.
  if (settled.duplicateWindowMs > settled.maxAgeMs) throw new RangeError('duplicateWindowMs is longer than maxAgeMs');
  return settled;
}

/** Creates the stream, or checks it is this log's and updates what may change (retention, dedup window). */
async function ensureStream(jsm: JetStreamManager, options: Settled): Promise<void> {
  const wanted = {
    subjects: [`${options.subjectPrefix}.*`],
    description: `carrier event log, partitions=${options.partitions}, partitionOf=murmur3`,
    max_age: nanos(options.maxAgeMs),
    duplicate_window: nanos(options.duplicateWindowMs),
    num_replicas: options.replicas,
  };
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(options.stream)).config;
  } catch (error) {
    if (!isApiError(error, JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add({
      name: options.stream,
      ...wanted,
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
    });
    return;
  }
  const partitions = PARTITIONS_MARK.exec(existing.description ?? '')?.[1];
  if (partitions !== String(options.partitions))
    throw new Error(
      `stream ${options.stream} holds ${partitions ?? 'an unknown number of'} partitions, not ${options.partitions}: ` +
        'changing the count is a re-shard (a new stream)',
    );
  if (existing.subjects.join() !== wanted.subjects.join())
    throw new Error(`stream ${options.stream} holds subjects ${existing.subjects.join()}, not ${wanted.subjects}`);
  if (existing.max_age !== wanted.max_age || existing.duplicate_window !== wanted.duplicate_window)
    await jsm.streams.update(options.stream, { ...existing, ...wanted });
}

function isApiError(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

/** A failure to reach the server, as the typed error a caller answers UNAVAILABLE with; anything else as it is. */
function asUnavailable(operation: string, error: unknown): unknown {
  const unreachable =
    error instanceof TimeoutError ||
    error instanceof ConnectionError ||
    error instanceof ClosedConnectionError ||
    error instanceof DrainingConnectionError ||
    error instanceof RequestError ||
    error instanceof NoRespondersError ||
    // No JetStream behind the subject: the server is up but its JetStream is not (yet) answering.
    (error instanceof Error && error.name === 'JetStreamNotEnabled') ||
    (error instanceof JetStreamApiError && error.status === 503);
  return unreachable ? new EventLogUnavailableError(operation, error) : error;
}
