import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { FeedFollower, type FeedConsumer } from '@app/grpc';
import { AnalysisService } from '../analysis/analysis.service';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { fromWireChange, latestPerNumber } from './registry-change.mapper';
import { RegistryConnection } from './registry-connection';
import { RegistryLinkRepository } from './registry-link.repository';

/** The first reconnect waits this long; later ones double up to REGISTRY_RETRY_MAX_MS. */
const FIRST_RETRY_MS = 250;

/**
 * Follows the registry's change feed (WatchChanges) from the stored cursor:
 * each batch of changes reaches the engine (a CLEARED number is restored, a
 * CONFIRMED one suspended), then the local copy and the cursor are stored in
 * one transaction.
 */
@Injectable()
export class RegistryFollower implements FeedConsumer<registry.StatusChange>, OnApplicationBootstrap, OnModuleDestroy {
  private readonly follower: FeedFollower<registry.StatusChange>;

  constructor(
    private readonly connection: RegistryConnection,
    private readonly repository: RegistryLinkRepository,
    private readonly analysis: AnalysisService,
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
  ) {
    this.follower = new FeedFollower({
      watch: (since) => this.connection.watchChanges(since),
      versionOf: (change) => Number(change.version),
      consumer: this,
      logger: new Logger(RegistryFollower.name),
      firstRetryMs: FIRST_RETRY_MS,
      maxRetryMs: config.registryRetryMaxMs,
    });
  }

  /** After every module's init: the engine is loaded before the first change reaches it. */
  onApplicationBootstrap(): void {
    if (this.connection.enabled) this.follower.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.follower.stop();
  }

  cursor(): Promise<number> {
    return this.repository.cursor();
  }

  /**
   * Decisions first (apply makes them durable), then the copy and the cursor:
   * a crash in between replays these changes, which then decide nothing new
   * (the engine resumes on the new step, and decision ids repeat).
   */
  async apply(wire: registry.StatusChange[]): Promise<void> {
    const changes = wire.map(fromWireChange);
    await this.analysis.apply((engine) => ({
      decisions: changes.flatMap((c) => engine.registryChanged(c.msisdn, c.status, c.atMs).decisions),
    }));
    const newest = changes[changes.length - 1];
    await this.repository.store(latestPerNumber(changes), newest.version);
    this.metrics.registryChangesApplied(newest.version, newest.atMs, Date.now());
  }
}
