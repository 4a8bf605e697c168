import { Injectable } from '@nestjs/common';
import { RegistryStatus, type VerificationOutcome } from '@app/domain';
import { Metrics } from '@app/observability';
import { ChangeFeed } from './change-feed.service';

const LISTED: readonly RegistryStatus[] = [RegistryStatus.Suspected, RegistryStatus.Confirmed, RegistryStatus.Cleared];

/** What a flag did: listed or re-listed the number, met a clearance, or repeated an earlier key. */
export type FlagResultLabel = 'accepted' | 'protected' | 'replayed';

/**
 * The registry's own metrics: numbers listed by status (read from the
 * in-memory index on scrape), the change feed's version, flags submitted and
 * police verifications.
 */
@Injectable()
export class RegistryMetrics {
  private readonly count;

  constructor(metrics: Metrics, feed: ChangeFeed) {
    metrics.gauges({
      numbers: [
        'fraud_registry_numbers',
        ['status'],
        'Numbers in the registry by status (SUSPECTED, CONFIRMED, CLEARED).',
        function () {
          for (const status of LISTED) this.set({ status }, feed.index.countOf(status));
        },
      ],
      version: [
        'fraud_registry_change_version',
        [],
        'Version of the newest status change in the in-memory index (followers compare their cursor with it).',
        function () {
          this.set(feed.version);
        },
      ],
    });
    this.count = metrics.counters({
      flags: [
        'fraud_registry_flags_total',
        ['source', 'result'],
        'Flags submitted, by source (carrier:<ID>, admin) ' +
          'and result (accepted, protected by a clearance, replayed key).',
      ],
      verifications: [
        'fraud_registry_verifications_total',
        ['outcome', 'replayed'],
        'Police verifications recorded, by outcome (CONFIRMED, CLEARED) and whether the key was replayed.',
      ],
    } as const);
  }

  flagged(source: string, result: FlagResultLabel): void {
    this.count.flags.inc({ source, result });
  }

  verified(outcome: VerificationOutcome, replayed: boolean): void {
    this.count.verifications.inc({ outcome, replayed: String(replayed) });
  }
}
