import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { FeedFollower, type FeedConsumer } from '@app/grpc';
import { CaseTracker } from '../cases/case-tracker.service';
import { RegistryConnection, REGISTRY_RETRY_MAX_MS } from './registry-connection';
import { RegistryLinkRepository } from './registry-link.repository';
import { verdictOf, type RegistryVerdict } from './registry-verdict.mapper';

const FIRST_RETRY_MS = 250;

/**
 * Follows the registry's change feed (WatchChanges) from registry_cursor when
 * REGISTRY_ADDRESS is set: police verdicts (CLEARED, CONFIRMED) are stored with
 * the cursor, then the case tracker runs (a clearance starts a case's clock).
 */
@Injectable()
export class RegistryFollower implements FeedConsumer<registry.StatusChange>, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RegistryFollower.name);
  private readonly follower: FeedFollower<registry.StatusChange>;

  constructor(
    private readonly connection: RegistryConnection,
    private readonly repository: RegistryLinkRepository,
    private readonly tracker: CaseTracker,
  ) {
    this.follower = new FeedFollower({
      watch: (since) => this.connection.watchChanges(since),
      versionOf: (change) => Number(change.version),
      consumer: this,
      logger: this.logger,
      firstRetryMs: FIRST_RETRY_MS,
      maxRetryMs: REGISTRY_RETRY_MAX_MS,
    });
  }

  onApplicationBootstrap(): void {
    if (this.connection.enabled) this.follower.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.follower.stop();
  }

  cursor(): Promise<number> {
    return this.repository.cursor();
  }

  /** Police verdicts and the cursor in one transaction; a clearance then moves the case clocks. */
  async apply(changes: registry.StatusChange[]): Promise<void> {
    const verdicts = changes.map(verdictOf).filter((v): v is RegistryVerdict => v !== undefined);
    await this.repository.store(verdicts, Number(changes[changes.length - 1].version));
    if (verdicts.length > 0)
      void this.tracker
        .catchUp()
        .catch((error: Error) => this.logger.warn(`case tracking after registry verdicts failed: ${error.message}`));
  }
}
