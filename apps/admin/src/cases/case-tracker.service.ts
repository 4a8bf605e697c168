import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { CLOCK, type Clock, type Msisdn } from '@app/domain';
import { outsideTransaction } from '@app/persistence';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
import { cstDay } from '../oversight/day-range';
import { OwnershipService } from '../ownership/ownership.service';
import { formatCaseId } from './case-id';
import { planCases, type CasePlan, type TimelineItem } from './case-planner';
import { decisionItem, directiveItems, verdictItem } from './case-timeline';
import { CasesRepository } from './cases.repository';

/** How often the tracker looks for new items and overdue cases on its own. */
export const TRACK_INTERVAL_MS = 10_000;
/**
 * Items are found by when they were written (database time); a transaction
 * that commits later than it started is caught by looking this far back.
 */
const OVERLAP_SECONDS = 60;
const NUMBERS_PER_PAGE = 500;

/**
 * Derives cases from what the admin stores: carrier decisions, directives and
 * police verdicts. Each run takes the numbers whose case may have changed since
 * the last run (touchedNumbers) and replays their unrecorded items (planCases), one number per
 * transaction under a per-number lock, then escalates overdue cases. It runs
 * every TRACK_INTERVAL_MS and on demand (catchUp) before cases are read; runs
 * never overlap, and a request during a run gets a fresh run after it.
 */
@Injectable()
export class CaseTracker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(CaseTracker.name);
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly cases: CasesRepository,
    private readonly ownership: OwnershipService,
    @Inject(ADMIN_CONFIG) private readonly config: AdminConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.catchUp().catch((error: Error) => this.logger.warn(`case tracking failed: ${error.message}`)),
      TRACK_INTERVAL_MS,
    );
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await Promise.allSettled([this.running, this.queued]);
  }

  /**
   * Resolves once a run that started after this call has finished. Runs serve
   * every caller, on connections of their own.
   */
  catchUp(): Promise<void> {
    return outsideTransaction(() => this.runOrQueue());
  }

  private runOrQueue(): Promise<void> {
    if (!this.running) {
      this.running = this.run().finally(() => (this.running = undefined));
      return this.running;
    }
    // A run is under way and may have missed what the caller just wrote: one more after it serves every waiting caller.
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.runOrQueue();
      });
    return this.queued;
  }

  private async run(): Promise<void> {
    const { since, until } = await this.cases.window(OVERLAP_SECONDS);
    for (let after = ''; ;) {
      const numbers = await this.cases.touchedNumbers(since, after, NUMBERS_PER_PAGE);
      for (const msisdn of numbers) await this.track(msisdn);
      if (numbers.length < NUMBERS_PER_PAGE) break;
      after = numbers[numbers.length - 1]!;
    }
    await this.cases.advance(until);
    await this.escalateOverdue();
  }

  private async track(msisdn: string): Promise<void> {
    const owner = (await this.ownership.ownerOf(msisdn as Msisdn))?.carrier;
    await this.dataSource.transaction(async (em) => {
      await this.cases.lockNumber(em, msisdn);
      // One connection, one query at a time: the transaction's reads in sequence.
      const open = await this.cases.openCase(em, msisdn);
      const lastResolvedAt = await this.cases.lastResolvedAt(em, msisdn);
      const recorded = await this.cases.recordedKeys(em, msisdn);
      const decisions = await this.cases.decisionsOf(em, msisdn);
      const directives = await this.cases.directivesOf(em, msisdn);
      const verdicts = await this.cases.verdictsOf(em, msisdn);
      const items: TimelineItem[] = [
        ...decisions.map((d) => decisionItem(d, owner)),
        ...directives.flatMap(directiveItems),
        ...verdicts.map((v) => verdictItem(v, this.config.caseSlaHours)),
      ].filter((item) => !recorded.has(item.key));
      for (const plan of planCases({ open, lastResolvedAt }, items, this.config.caseSlaHours))
        await this.write(em, msisdn, plan);
    });
  }

  private async write(em: EntityManager, msisdn: string, plan: CasePlan): Promise<void> {
    let caseId = plan.caseId;
    if (caseId === undefined) {
      caseId = formatCaseId(plan.openedAt, await this.cases.nextCaseNumber(em, cstDay(plan.openedAt)));
      await this.cases.insertCase(em, { caseId, msisdn, owner: plan.owner, openedAt: plan.openedAt });
      this.logger.log(`case ${caseId} opened: ${msisdn} suspended by ${plan.owner}`);
    }
    await this.cases.addEvents(em, caseId, plan.events);
    if (plan.clock) await this.cases.startClock(em, caseId, plan.clock.clearedAt, plan.clock.dueAt);
    if (plan.resolution) await this.cases.resolve(em, caseId, plan.resolution.at, plan.resolution.status);
  }

  /** The service-level clock ran out: the case is escalated, with an event and a warning in the log. */
  private async escalateOverdue(): Promise<void> {
    const sla = this.config.caseSlaHours;
    const escalated = await this.cases.escalateOverdue(
      this.clock.now(),
      (c) => `escalated: not restored by ${c.dueAt.toISOString()}, ${sla} h after the police clearance`,
    );
    for (const c of escalated)
      this.logger.warn(
        `case ${c.caseId} escalated: ${c.msisdn} not restored within ${sla} h ` +
          `of its police clearance (due ${c.dueAt.toISOString()})`,
      );
  }
}
