import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { backoffDelay, pause } from '../registry-link/backoff';
import { RegistryConnection } from '../registry-link/registry-connection';
import { toWireFlag, type RegistryFlagPayload } from './flag.mapper';
import { OutboxRepository, type Backlog, type OutboxDestination, type PendingMessage, type RelayTransaction } from './outbox.repository';
import { classifySubmitFailure, type SubmitFailure } from './submit-failure';

/** One SubmitFlags call longer than this counts as the registry being unreachable. */
export const SUBMIT_DEADLINE_MS = 10_000;

interface Round {
  /** A full batch was taken: more may be waiting. */
  full: boolean;
  failure?: SubmitFailure;
}

/**
 * Delivers REGISTRY outbox messages to SubmitFlags, oldest first, in batches of
 * OUTBOX_BATCH. A message is marked delivered only once the registry answered
 * OK (a replayed key is OK: the registry had it already), so a crash or a lost
 * answer means a resend, which the registry recognises: exactly once in effect.
 * ADMIN messages wait until the administration's API exists.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(OutboxRelay.name);
  private readonly stopping = new AbortController();
  private readonly source: string;
  private running: Promise<void> | undefined;
  private failures = 0;
  private outage: { since: number; kind: SubmitFailure['kind'] } | undefined;

  constructor(
    private readonly repository: OutboxRepository,
    private readonly registry: RegistryConnection,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
  ) {
    this.source = `carrier:${config.carrierId}`;
  }

  onApplicationBootstrap(): void {
    if (this.registry.enabled) this.running = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Undelivered and refused messages per destination (for metrics and operators). */
  backlog(): Promise<Record<OutboxDestination, Backlog>> {
    return this.repository.backlog();
  }

  /** One loop per process; it never spins: it pauses when idle and backs off while the registry is unreachable. */
  private async run(): Promise<void> {
    while (!this.stopping.signal.aborted) await pause(await this.relayOnce(), this.stopping.signal);
  }

  /** One round of delivery; resolves with the pause before the next one. */
  async relayOnce(): Promise<number> {
    let round: Round | undefined;
    try {
      round = await this.repository.asRelay('REGISTRY', (queue) => this.deliver(queue));
    } catch (error) {
      round = { full: false, failure: { kind: 'unreachable', reason: `outbox database: ${(error as Error).message}` } };
    }
    // Another replica's relay holds the queue.
    if (round === undefined) return this.config.outboxIntervalMs;
    if (round.failure) {
      this.failures++;
      this.noteFailure(round.failure);
      return backoffDelay(this.failures, this.config.outboxIntervalMs, this.config.registryRetryMaxMs);
    }
    if (this.outage) {
      this.logger.log(`registry reachable again after ${Math.round((Date.now() - this.outage.since) / 1000)} s and ${this.failures} retries: delivering the backlog`);
      this.outage = undefined;
    }
    this.failures = 0;
    return round.full ? 0 : this.config.outboxIntervalMs;
  }

  private async deliver(queue: RelayTransaction): Promise<Round> {
    const batch = await queue.pending(this.config.outboxBatch);
    const full = batch.length === this.config.outboxBatch;
    let messages: { message: PendingMessage; flag: registry.Flag }[] = [];
    for (const message of batch) {
      try {
        messages.push({ message, flag: toWireFlag(message.idempotencyKey, message.payload as RegistryFlagPayload, this.source) });
      } catch (error) {
        await this.setAside(queue, message, `unreadable payload: ${(error as Error).message}`);
      }
    }
    while (messages.length > 0) {
      const failure = await this.submit(messages.map((m) => m.flag));
      if (failure === undefined) {
        await queue.delivered(messages.map((m) => m.message.id));
        return { full };
      }
      if (failure.kind !== 'flag-refused') {
        await queue.attempted(messages.map((m) => m.message.id), failure.reason);
        return { full, failure };
      }
      // One bad flag refuses the whole call: set it aside and send the others again.
      await this.setAside(queue, messages[failure.index].message, failure.reason);
      messages = messages.filter((_, i) => i !== failure.index);
    }
    return { full };
  }

  /** Undefined when the registry answered OK (replays included). */
  private async submit(flags: registry.Flag[]): Promise<SubmitFailure | undefined> {
    try {
      await this.registry.submitFlags(flags, SUBMIT_DEADLINE_MS);
      return undefined;
    } catch (error) {
      return classifySubmitFailure(error, flags.length);
    }
  }

  private async setAside(queue: RelayTransaction, message: PendingMessage, reason: string): Promise<void> {
    await queue.failed(message.id, reason);
    this.logger.error(`outbox message ${message.id} (${message.idempotencyKey}) refused for good and set aside: ${reason}`);
  }

  /** Logged once per outage (and again if its kind changes), not once per retry. */
  private noteFailure(failure: SubmitFailure): void {
    if (this.outage?.kind === failure.kind) return;
    this.outage = { since: this.outage?.since ?? Date.now(), kind: failure.kind };
    const line = `flags wait in the outbox: ${failure.reason}; retrying with backoff (at most ${this.config.registryRetryMaxMs} ms apart)`;
    if (failure.kind === 'unreachable') this.logger.warn(`registry unreachable, ${line}`);
    else this.logger.error(`registry refused a whole batch, ${line}`);
  }
}
