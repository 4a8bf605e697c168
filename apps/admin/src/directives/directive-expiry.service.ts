import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/domain';
import { DirectivesRepository } from './directives.repository';

/** How often open directives past their expiry are marked EXPIRED. */
export const EXPIRY_INTERVAL_MS = 60_000;

/**
 * Marks open directives EXPIRED once past expires_at. Streams already skip
 * expired ones by time; this makes the status say so. Every replica may run
 * it: the update is idempotent.
 */
@Injectable()
export class DirectiveExpiry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(DirectiveExpiry.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly directives: DirectivesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(
      () => void this.expireDue().catch((e: Error) => this.logger.warn(`directive expiry: ${e.message}`)),
      EXPIRY_INTERVAL_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Answers how many directives expired now. */
  async expireDue(): Promise<number> {
    const expired = await this.directives.expireDue(this.clock.now());
    if (expired > 0) this.logger.log(`${expired} unacknowledged directives expired`);
    return expired;
  }
}
