import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { admin } from '@app/contracts';
import { Action, CLOCK, type Clock } from '@app/domain';
import type { Principal } from '@app/grpc';
import { carrierOf } from '../carrier-scope';
import { CorrelationService } from '../correlation/correlation.service';
import { AdminMetrics } from '../metrics/admin-metrics';
import { validateFeed, type FeedCalleeWarnings, type FeedCount, type FeedEntry } from './feed-items';
import { FeedRepository } from './feed.repository';

export interface FeedResult {
  accepted: number;
  replayed: number;
}

@Injectable()
export class FeedService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly feed: FeedRepository,
    private readonly correlation: CorrelationService,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: AdminMetrics,
  ) {}

  /**
   * Stores a carrier's feed atomically: every item or, when one is invalid, none.
   * A key the carrier used before (or earlier in the batch) is a replay and
   * writes nothing. Then correlates every number the feed reported.
   */
  async submit(caller: Principal, items: admin.FeedItem[] | undefined): Promise<FeedResult> {
    const carrier = carrierOf(caller);
    const entries = validateFeed(items, this.clock.now());
    const taken = await this.dataSource.transaction(async (em) => {
      // Sorted, so two concurrent feeds of one carrier take their keys in the same order (no deadlock).
      const fresh = await this.feed.takeKeys(em, carrier, [...new Set(entries.map((e) => e.idempotencyKey))].sort());
      // The first item of each new key is taken (delete answers true once); a repeat in the batch is a replay.
      const taken = entries.filter((e) => fresh.delete(e.idempotencyKey));
      await this.feed.insertDecisions(
        em,
        carrier,
        taken.flatMap((e) => (e.decision ? [e.decision] : [])),
      );
      await this.feed.upsertCounts(em, carrier, latestCounts(taken));
      await this.feed.upsertCalleeWarnings(em, carrier, latestCalleeWarnings(taken));
      await this.feed.upsertDemotions(
        em,
        carrier,
        taken.flatMap((e) => (e.demotion ? [e.demotion] : [])),
      );
      return taken;
    });
    this.metrics.fed(carrier, entries, taken);
    const accepted = taken.length;
    // Replayed reports too: a retry after a failed correlation must not lose it, and a second run issues nothing twice.
    await this.correlateReported(entries);
    return { accepted, replayed: entries.length - accepted };
  }

  private async correlateReported(entries: FeedEntry[]): Promise<void> {
    const reported = [
      ...new Set(entries.flatMap((e) => (e.decision?.action === Action.Report ? [e.decision.msisdn] : []))),
    ];
    if (reported.length === 0) return;
    const reports = await this.feed.reportsOn(reported, this.correlation.windowStart());
    for (const msisdn of reported) {
      await this.correlation.correlate(
        msisdn,
        reports.filter((r) => r.msisdn === msisdn),
      );
    }
  }
}

/** One count per day, policy, action and reason: the batch's last item for it. */
function latestCounts(entries: FeedEntry[]): FeedCount[] {
  const latest = new Map<string, FeedCount>();
  for (const { count } of entries)
    if (count) latest.set(`${count.day}|${count.policy}|${count.action}|${count.reason}`, count);
  return [...latest.values()];
}

/** One callee warning count per day and policy: the batch's last item for it. */
function latestCalleeWarnings(entries: FeedEntry[]): FeedCalleeWarnings[] {
  const latest = new Map<string, FeedCalleeWarnings>();
  for (const { calleeWarnings } of entries)
    if (calleeWarnings) latest.set(`${calleeWarnings.day}|${calleeWarnings.policy}`, calleeWarnings);
  return [...latest.values()];
}
