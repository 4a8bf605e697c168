import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { dailyCalleeWarningsKey, dailyCountKey, nextDailyRun } from './daily-count';
import { DailyCountsRepository } from './daily-counts.repository';
import type { DailyCalleeWarningsPayload, DailyCountPayload } from './feed-item.mapper';

/**
 * The carrier's daily totals for the administration: once a day (00:30 CST) and
 * on demand (`countNow`), every day touched by newly recorded decisions or
 * callee warnings is counted again from the decision and callee_warning tables and queued on the ADMIN outbox, which
 * delivers them as DailyCount items after the decisions they count. Queued
 * whether or not ADMIN_ADDRESS is set, like the decisions themselves.
 */
@Injectable()
export class DailyCounts implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DailyCounts.name);
  private timer: NodeJS.Timeout | undefined;
  private counting: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: DailyCountsRepository,
    @Inject(CARRIER_CONFIG) private readonly config: CarrierConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.timer);
    await this.counting;
  }

  /**
   * Counts now; resolves with the days counted and how many counts were new
   * (a recount that finds nothing new queues nothing).
   */
  countNow(): Promise<{ days: string[]; queued: number }> {
    const { carrierId } = this.config;
    const run = this.repository.recount((counts, calleeWarnings) => [
      ...counts.map((c) => ({
        idempotencyKey: dailyCountKey(carrierId, c),
        payload: { kind: 'daily_count', ...c } satisfies DailyCountPayload,
      })),
      ...calleeWarnings.map((c) => ({
        idempotencyKey: dailyCalleeWarningsKey(carrierId, c),
        payload: { kind: 'daily_callee_warnings', ...c } satisfies DailyCalleeWarningsPayload,
      })),
    ]);
    this.counting = Promise.all([this.counting, run.catch(() => undefined)]);
    return run;
  }

  private schedule(): void {
    const now = Date.now();
    this.timer = setTimeout(() => void this.scheduledRun(), nextDailyRun(now) - now);
    this.timer.unref();
  }

  private async scheduledRun(): Promise<void> {
    try {
      const { days, queued } = await this.countNow();
      this.logger.log(
        `daily counts: ${days.length} days recounted, ${queued} new counts queued for the administration`,
      );
    } catch (error) {
      // The next run recounts from the same mark: nothing is lost, only late.
      this.logger.error(`daily counts failed, retried at the next run: ${(error as Error).message}`);
    }
    this.schedule();
  }
}
