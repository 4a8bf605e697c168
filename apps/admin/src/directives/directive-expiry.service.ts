import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@app/domain';
import { PeriodicSweep } from '@app/persistence';
import { DirectivesRepository } from './directives.repository';

/** How often open directives past their expiry are marked EXPIRED. */
export const EXPIRY_INTERVAL_MS = 60_000;

/**
 * Marks open directives EXPIRED once past expires_at. Streams already skip
 * expired ones by time; this makes the status say so. Every replica may run
 * it: the update is idempotent.
 */
@Injectable()
export class DirectiveExpiry extends PeriodicSweep {
  constructor(
    private readonly directives: DirectivesRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    super({ name: DirectiveExpiry.name, everyMs: EXPIRY_INTERVAL_MS, failure: 'directive expiry' });
  }

  protected sweep(): Promise<number> {
    return this.expireDue();
  }

  /** Answers how many directives expired now. */
  async expireDue(): Promise<number> {
    const expired = await this.directives.expireDue(this.clock.now());
    if (expired > 0) this.logger.log(`${expired} unacknowledged directives expired`);
    return expired;
  }
}
