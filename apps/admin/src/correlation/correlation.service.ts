import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, type Msisdn } from '@app/domain';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import type { DirectiveRecord } from '../directives/directive';
import { DirectivesService } from '../directives/directives.service';
import type { InterNetworkReport } from '../feed/feed.repository';
import { OwnershipService } from '../ownership/ownership.service';
import { correlateReports, REPORT_WINDOW_DAYS } from './correlation-policy';

const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

/**
 * Joins the carriers' REPORT decisions on a number to its owner: past the
 * province's policy, a REVIEW or SUSPEND directive goes to the owning carrier.
 */
@Injectable()
export class CorrelationService {
  constructor(
    private readonly ownership: OwnershipService,
    private readonly directives: DirectivesService,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Start of the reports that count, from now. */
  windowStart(): Date {
    return new Date(this.clock.now().getTime() - REPORT_WINDOW_DAYS * DAY_MS);
  }

  /**
   * Decides on one number from its REPORT decisions in the window. Safe to run
   * again on the same reports: the key is derived from the number, the kind and
   * the day, and an open directive of the kind blocks another.
   */
  async correlate(msisdn: Msisdn, reports: readonly InterNetworkReport[]): Promise<DirectiveRecord | undefined> {
    const owner = await this.ownership.ownerOf(msisdn);
    if (!owner) return undefined;
    const found = correlateReports(owner.carrier, reports, this.config);
    if (!found) return undefined;
    return this.directives.issueAutomatic({
      idempotencyKey: `auto:${msisdn}:${found.kind}:${chinaDay(this.clock.now())}`,
      msisdn,
      carrier: owner.carrier,
      ...found,
    });
  }
}

/** YYYY-MM-DD in China Standard Time. */
function chinaDay(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 10);
}
