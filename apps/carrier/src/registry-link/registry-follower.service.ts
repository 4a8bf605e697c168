import { Inject, Injectable, Logger } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { FollowedFeed } from '@app/grpc';
import { AnalysisService } from '../analysis/analysis.service';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { CarrierMetrics } from '../metrics/carrier-metrics';
import { fromWireChange, latestPerNumber } from './registry-change.mapper';
import { RegistryConnection } from './registry-connection';
import { RegistryLinkRepository } from './registry-link.repository';

/**
 * Follows the registry's change feed (WatchChanges) from the stored cursor:
 * each batch of changes reaches the engine (a CLEARED number is restored, a
 * CONFIRMED one suspended), then the local copy and the cursor are stored in
 * one transaction. It starts after every module's init: the engine is loaded
 * before the first change reaches it.
 */
@Injectable()
export class RegistryFollower extends FollowedFeed<registry.StatusChange> {
  constructor(
    connection: RegistryConnection,
    private readonly repository: RegistryLinkRepository,
    private readonly analysis: AnalysisService,
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
    private readonly metrics: CarrierMetrics,
  ) {
    super(connection, { logger: new Logger(RegistryFollower.name), maxRetryMs: config.registryRetryMaxMs });
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
    await this.analysis.applyAll(
      changes.map((c) => ({ kind: 'registryChanged', msisdn: c.msisdn, status: c.status, atMs: c.atMs })),
    );
    const newest = changes[changes.length - 1];
    await this.repository.store(latestPerNumber(changes), newest.version);
    this.metrics.registryChangesApplied(newest.version, newest.atMs, Date.now());
  }
}
