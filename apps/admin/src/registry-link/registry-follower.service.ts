import { Injectable, Logger } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { FollowedFeed } from '@app/grpc';
import { CaseTracker } from '../cases/case-tracker.service';
import { RegistryConnection, REGISTRY_RETRY_MAX_MS } from './registry-connection';
import { RegistryLinkRepository } from './registry-link.repository';
import { verdictOf, type RegistryVerdict } from './registry-verdict.mapper';

/**
 * Follows the registry's change feed (WatchChanges) from registry_cursor when
 * REGISTRY_ADDRESS is set: police verdicts (CLEARED, CONFIRMED) are stored with
 * the cursor, then the case tracker runs (a clearance starts a case's clock).
 */
@Injectable()
export class RegistryFollower extends FollowedFeed<registry.StatusChange> {
  private readonly logger = new Logger(RegistryFollower.name);

  constructor(
    connection: RegistryConnection,
    private readonly repository: RegistryLinkRepository,
    private readonly tracker: CaseTracker,
  ) {
    super(connection, { logger: new Logger(RegistryFollower.name), maxRetryMs: REGISTRY_RETRY_MAX_MS });
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
