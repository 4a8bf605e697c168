import type { EventLog, LogConsumption } from './event-log';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Names of exchanges: what a shard's snapshot may hold and a subject may carry. */
const KEY = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * The shards of one carrier handing one another their part of each step (docs/eventlog.md#exchanges), over an
 * EventLog with one partition per shard: shard k publishes its parts to partition k and reads every other partition.
 * A part is named by a key (the log entry's sequence, the round, the step) and stays in the log, so a shard that
 * restarts from a snapshot finds the other shards' parts of every step after it, and sends its own again (the
 * same bytes: a shard's part follows from the log alone), which a reader takes once.
 */
export class LogExchange {
  /** Key → the parts received so far and not gathered yet, by shard, with their sequence in the log. */
  private readonly parts = new Map<string, ({ payload: Uint8Array; seq: number } | undefined)[]>();
  private readonly waiting = new Map<string, () => void>();
  /** Per shard, the sequence of the last part read (0: none). */
  private readonly read: number[];
  private readonly consumptions: LogConsumption[] = [];
  private failure: Error | undefined;
  private handled: (key: string) => boolean = () => false;

  constructor(
    private readonly log: EventLog,
    /** This shard: the partition it writes. */
    readonly self: number,
    /** The consumer names' stem, e.g. shard-3 (each other partition gets its own durable consumer). */
    private readonly consumerName: string,
  ) {
    if (!Number.isInteger(self) || self < 0 || self >= log.partitions)
      throw new RangeError(`exchange: shard ${self} of ${log.partitions}`);
    this.read = new Array<number>(log.partitions).fill(0);
  }

  get shards(): number {
    return this.log.partitions;
  }

  /**
   * Starts reading the other shards' parts after `after[k]` in partition k (a snapshot's positions; zeros for none).
   * Parts of steps handled before the snapshot may come again: `handled` names them, and they are dropped.
   */
  async start(after: readonly number[] = [], handled: (key: string) => boolean = () => false): Promise<void> {
    this.handled = handled;
    for (let shard = 0; shard < this.shards; shard++) {
      if (shard === this.self) continue;
      this.read[shard] = after[shard] ?? 0;
      const consumption = await this.log.consume(shard, this.consumerName, this.read[shard], async (message) => {
        this.receive(shard, message.seq, message.payload);
      });
      this.consumptions.push(consumption);
      void consumption.ended.then((error) => {
        if (error) this.fail(error);
      });
    }
  }

  /** Publishes this shard's part under `key`; resolves once the log stored it. @throws EventLogUnavailableError */
  async send(key: string, payload: Uint8Array): Promise<void> {
    if (!KEY.test(key)) throw new RangeError(`exchange key ${JSON.stringify(key)}`);
    const head = encoder.encode(key);
    const message = new Uint8Array(2 + head.length + payload.length);
    message[0] = head.length >> 8;
    message[1] = head.length & 0xff;
    message.set(head, 2);
    message.set(payload, 2 + head.length);
    await this.log.publish(this.self, message, `${key}.s${this.self}`);
  }

  /**
   * Every shard's part under `key`, by shard, with `own` in this shard's place; waits for the parts not yet read.
   * @throws the error that ended a reading consumption, or a timeout after `timeoutMs`.
   */
  async gather(key: string, own: Uint8Array, timeoutMs: number): Promise<Uint8Array[]> {
    const complete = () => {
      const parts = this.parts.get(key);
      if (parts === undefined) return this.shards === 1;
      for (let shard = 0; shard < this.shards; shard++) if (shard !== this.self && !parts[shard]) return false;
      return true;
    };
    if (!complete()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          this.waiting.delete(key);
          reject(new Error(`exchange ${key}: the other shards' parts did not all come within ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiting.set(key, () => {
          if (this.failure) {
            clearTimeout(timer);
            this.waiting.delete(key);
            reject(this.failure);
          } else if (complete()) {
            clearTimeout(timer);
            this.waiting.delete(key);
            resolve();
          }
        });
        this.waiting.get(key)?.();
      });
    }
    const parts = this.parts.get(key) ?? [];
    this.parts.delete(key);
    return Array.from({ length: this.shards }, (_, shard) => (shard === this.self ? own : parts[shard]!.payload));
  }

  /**
   * Per shard, where a snapshot taken now resumes reading (start): after the last part read, or before the first part
   * not gathered yet (another shard may be a step ahead, and that part is for a step after the snapshot).
   */
  positions(): number[] {
    const positions = [...this.read];
    for (const parts of this.parts.values())
      parts.forEach((part, shard) => {
        if (part !== undefined) positions[shard] = Math.min(positions[shard], part.seq - 1);
      });
    return positions;
  }

  /** Stops reading. */
  async stop(): Promise<void> {
    await Promise.all(this.consumptions.splice(0).map((consumption) => consumption.stop()));
  }

  private receive(shard: number, seq: number, message: Uint8Array): void {
    this.read[shard] = seq;
    const length = (message[0] << 8) | message[1];
    const key = decoder.decode(message.subarray(2, 2 + length));
    if (this.handled(key)) return;
    let parts = this.parts.get(key);
    if (parts === undefined) {
      parts = new Array<{ payload: Uint8Array; seq: number } | undefined>(this.shards);
      this.parts.set(key, parts);
    }
    parts[shard] ??= { payload: message.slice(2 + length), seq };
    this.waiting.get(key)?.();
  }

  private fail(error: Error): void {
    this.failure = error;
    for (const wake of [...this.waiting.values()]) wake();
  }
}
