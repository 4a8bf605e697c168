import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/domain';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { OutboxRepository } from './outbox.repository';

const EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** Keeps the outbox small: delivered messages go after OUTBOX_RETENTION_DAYS; pending and failed ones stay. */
@Injectable()
export class OutboxJanitor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxJanitor.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly outbox: OutboxRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () => void this.prune().catch((e: Error) => this.logger.warn(`outbox pruning failed: ${e.message}`)),
      EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
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
