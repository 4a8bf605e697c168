import type { ClientReadableStream } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { backoffDelay, pause } from '@app/grpc';
import { AnalysisService } from '../analysis/analysis.service';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { fromWireChange, latestPerNumber, type RegistryChange } from './registry-change.mapper';
import { RegistryConnection } from './registry-connection';
import { RegistryLinkRepository } from './registry-link.repository';

/** Changes applied and stored per transaction while catching up; live changes go one batch as they come. */
const MAX_CHANGES_PER_BATCH = 1000;
/** The first reconnect waits this long; later ones double up to REGISTRY_RETRY_MAX_MS. */
const FIRST_RETRY_MS = 250;

/**
 * Follows the registry's change feed (WatchChanges) from the stored cursor:
 * each batch of changes reaches the engine (a CLEARED number is restored, a
 * CONFIRMED one suspended), then the local copy and the cursor are stored in
 * one transaction. Reconnects with backoff whenever the stream ends or fails.
 */
@Injectable()
export class RegistryFollower implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RegistryFollower.name);
  private readonly stopping = new AbortController();
  private stream: ClientReadableStream<registry.WatchChangesResponse> | undefined;
  private running: Promise<void> | undefined;
  private cursor = 0;

  constructor(
    private readonly connection: RegistryConnection,
    private readonly repository: RegistryLinkRepository,
    private readonly analysis: AnalysisService,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
  ) {}

  /** After every module's init: the engine is loaded before the first change reaches it. */
  onApplicationBootstrap(): void {
    if (this.connection.enabled) this.running = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    this.stream?.cancel();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    let outage: { since: number; reason: string } | undefined;
    while (!this.stopping.signal.aborted) {
      let reason: string;
      try {
        this.cursor = await this.repository.cursor();
        await this.follow(() => {
          if (outage) this.logger.log(`registry change feed back after ${Math.round((Date.now() - outage.since) / 1000)} s, at version ${this.cursor}`);
          outage = undefined;
          failures = 0;
        });
        reason = 'the stream ended (registry shutting down)';
      } catch (error) {
        reason = (error as Error).message;
      }
      if (this.stopping.signal.aborted) return;
      failures++;
      // Once per outage, not once per retry.
      if (!outage) {
        outage = { since: Date.now(), reason };
        this.logger.warn(`registry change feed unavailable at version ${this.cursor}: ${reason}; reconnecting with backoff (at most ${this.config.registryRetryMaxMs} ms apart)`);
      }
      await pause(backoffDelay(failures, FIRST_RETRY_MS, this.config.registryRetryMaxMs), this.stopping.signal);
    }
  }

  /** Reads the feed until it ends or fails; `onApplied` after each stored batch. */
  private async follow(onApplied: () => void): Promise<void> {
    // Stopped while the cursor was read: open nothing that onModuleDestroy could no longer cancel.
    if (this.stopping.signal.aborted) return;
    const stream = this.connection.watchChanges(this.cursor);
    this.stream = stream;
    let batch: RegistryChange[] = [];
    try {
      for await (const message of stream as AsyncIterable<registry.WatchChangesResponse>) {
        if (message.change) batch.push(fromWireChange(message.change));
        // Nothing more buffered: the feed is caught up, so store what came rather than wait.
        if (batch.length >= MAX_CHANGES_PER_BATCH || (stream.readableLength === 0 && batch.length > 0)) {
          await this.apply(batch);
          batch = [];
          onApplied();
        }
      }
    } finally {
      this.stream = undefined;
      stream.cancel();
    }
  }

  /**
   * Decisions first (apply makes them durable), then the copy and the cursor:
   * a crash in between replays these changes, which then decide nothing new
   * (the engine resumes on the new step, and decision ids repeat).
   */
  private async apply(changes: RegistryChange[]): Promise<void> {
    await this.analysis.apply((engine) => ({ decisions: changes.flatMap((c) => engine.registryChanged(c.msisdn, c.status, c.atMs).decisions) }));
    const last = changes[changes.length - 1].version;
    await this.repository.store(latestPerNumber(changes), last);
    this.cursor = last;
  }
}
