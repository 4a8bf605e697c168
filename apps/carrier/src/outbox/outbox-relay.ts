import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { backoffDelay, pause } from '@app/grpc';
import type {
  OutboxRepository,
  Backlog,
  OutboxDestination,
  PendingMessage,
  RelayTransaction,
} from './outbox.repository';
import { classifySubmitFailure, type SubmitFailure } from './submit-failure';

/** One submission longer than this counts as the peer being unreachable. */
export const SUBMIT_DEADLINE_MS = 10_000;

/** What differs between the destinations of the outbox: how a message travels, and to whom. */
export interface RelayTarget<Item> {
  destination: OutboxDestination;
  /** The receiving service, in log lines: `registry`, `administration`. */
  peer: string;
  /** False when the peer's address is not set: the messages wait in the outbox. */
  enabled: boolean;
  /** The request's repeated field, as the peer's refusals name one item of it (`flags[3]…`). */
  itemsField: string;
  /** The longest pause between retries while the peer is unreachable. */
  retryMaxMs: number;
  /** One stored message as the peer takes it; throws when its payload cannot be read. */
  toWire(message: PendingMessage): Item;
  /** Resolves once the peer answered OK, a replayed key included; rejects with its gRPC error. */
  submit(items: Item[], deadlineMs: number): Promise<unknown>;
}

export interface RelayPacing {
  /** Messages per submission, and the pause between rounds when idle (the first retry pause too). */
  outboxBatch: number;
  outboxIntervalMs: number;
}

interface Round {
  /** A full batch was taken: more may be waiting. */
  full: boolean;
  failure?: SubmitFailure;
}

/**
 * Delivers one destination's outbox messages, oldest first, in batches. A
 * message is marked delivered only once the peer answered OK (a replayed key is
 * OK: the peer had it already), so a crash or a lost answer means a resend,
 * which the peer recognises by its key: exactly once in effect. A message the
 * peer refuses for good is set aside; while the peer is unreachable everything
 * stays and is retried with backoff. Each destination has its own relay (a
 * subclass naming its target), so one peer's outage never holds up the other.
 */
export class OutboxRelay<Item> implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private failures = 0;
  private outage: { since: number; kind: SubmitFailure['kind'] } | undefined;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly pacing: RelayPacing,
    private readonly target: RelayTarget<Item>,
  ) {}

  onApplicationBootstrap(): void {
    if (this.target.enabled) this.running = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Undelivered and refused messages per destination (for metrics and operators). */
  backlog(): Promise<Record<OutboxDestination, Backlog>> {
    return this.repository.backlog();
  }

  /** One loop per process; it never spins: it pauses when idle and backs off while the peer is unreachable. */
  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) await pause(await this.relayOnce(), this.stopping.signal);
  }

  /** One round of delivery; resolves with the pause before the next one. */
  async relayOnce(): Promise<number> {
    let round: Round | undefined;
    try {
      round = await this.repository.asRelay(this.target.destination, (queue) => this.deliver(queue));
    } catch (error) {
      round = { full: false, failure: { kind: 'unreachable', reason: `outbox database: ${(error as Error).message}` } };
    }
    // Another replica's relay holds the queue.
    if (round === undefined) return this.pacing.outboxIntervalMs;
    if (round.failure) {
      this.failures++;
      this.noteFailure(round.failure);
      return backoffDelay(this.failures, this.pacing.outboxIntervalMs, this.target.retryMaxMs);
    }
    if (this.outage) {
      this.logger.log(
        `${this.target.peer} reachable again after ${Math.round((Date.now() - this.outage.since) / 1000)} s ` +
          `and ${this.failures} retries: delivering the backlog`,
      );
      this.outage = undefined;
    }
    this.failures = 0;
    return round.full ? 0 : this.pacing.outboxIntervalMs;
  }

  private async deliver(queue: RelayTransaction): Promise<Round> {
    const batch = await queue.pending(this.pacing.outboxBatch);
    const full = batch.length === this.pacing.outboxBatch;
    let messages: { message: PendingMessage; item: Item }[] = [];
    for (const message of batch) {
      try {
        messages.push({ message, item: this.target.toWire(message) });
      } catch (error) {
        await this.setAside(queue, message, `unreadable payload: ${(error as Error).message}`);
      }
    }
    while (messages.length > 0) {
      const failure = await this.submit(messages.map((m) => m.item));
      if (failure === undefined) {
        await queue.delivered(messages.map((m) => m.message.id));
        return { full };
      }
      if (failure.kind !== 'item-refused') {
        await queue.attempted(
          messages.map((m) => m.message.id),
          failure.reason,
        );
        return { full, failure };
      }
      // One bad item refuses the whole call: set it aside and send the others again.
      await this.setAside(queue, messages[failure.index].message, failure.reason);
      messages = messages.filter((_, i) => i !== failure.index);
    }
    return { full };
  }

  /** Undefined when the peer answered OK (replays included). */
  private async submit(items: Item[]): Promise<SubmitFailure | undefined> {
    try {
      await this.target.submit(items, SUBMIT_DEADLINE_MS);
      return undefined;
    } catch (error) {
      return classifySubmitFailure(error, items.length, this.target.itemsField);
    }
  }

  private async setAside(queue: RelayTransaction, message: PendingMessage, reason: string): Promise<void> {
    await queue.failed(message.id, reason);
    this.logger.error(
      `outbox message ${message.id} (${message.idempotencyKey}) refused for good and set aside: ${reason}`,
    );
  }

  /** Logged once per outage (and again if its kind changes), not once per retry. */
  private noteFailure(failure: SubmitFailure): void {
    if (this.outage?.kind === failure.kind) return;
    this.outage = { since: this.outage?.since ?? Date.now(), kind: failure.kind };
    const line =
      `${this.target.destination} messages wait in the outbox: ${failure.reason}; ` +
      `retrying with backoff (at most ${this.target.retryMaxMs} ms apart)`;
    if (failure.kind === 'unreachable') this.logger.warn(`${this.target.peer} unreachable, ${line}`);
    else this.logger.error(`${this.target.peer} refused a whole batch, ${line}`);
  }
}
