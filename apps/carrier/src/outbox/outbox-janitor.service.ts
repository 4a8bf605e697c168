import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/domain';
import { PeriodicSweep } from '@app/persistence';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { OutboxRepository } from './outbox.repository';

const EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Keeps the outbox small: delivered messages go after OUTBOX_RETENTION_DAYS; pending and failed ones stay. */
@Injectable()
export class OutboxJanitor extends PeriodicSweep {
  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super({ name: OutboxJanitor.name, everyMs: EVERY_MS, failure: 'outbox pruning failed' });
  }

  protected sweep(): Promise<number> {
    return this.prune();
  }

  async prune(): Promise<number> {
    const removed = await this.outbox.pruneDelivered(
      new Date(this.clock.now().getTime() - this.config.outboxRetentionDays * DAY_MS),
    );
    if (removed > 0)
      this.logger.log(
        `deleted ${removed} delivered outbox messages older than ${this.config.outboxRetentionDays} days`,
      );
    return removed;
  }
}
