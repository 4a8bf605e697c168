import { Injectable } from '@nestjs/common';
import type { Counter } from 'prom-client';
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
  private readonly flags: Counter<'source' | 'result'>;
  private readonly verifications: Counter<'outcome' | 'replayed'>;

  constructor(metrics: Metrics, feed: ChangeFeed) {
    metrics.gauge({
      name: 'fraud_registry_numbers',
      help: 'Numbers in the registry by status (SUSPECTED, CONFIRMED, CLEARED).',
      labelNames: ['status'],
      collect() {
        for (const status of LISTED) this.set({ status }, feed.index.countOf(status));
      },
    });
    metrics.gauge({
      name: 'fraud_registry_change_version',
      help: 'Version of the newest status change in the in-memory index (followers compare their cursor with it).',
      collect() {
        this.set(feed.version);
      },
    });
    this.flags = metrics.counter({
      name: 'fraud_registry_flags_total',
      help: 'Flags submitted, by source (carrier:<ID>, admin) and result (accepted, protected by a clearance, replayed key).',
      labelNames: ['source', 'result'],
    });
    this.verifications = metrics.counter({
      name: 'fraud_registry_verifications_total',
      help: 'Police verifications recorded, by outcome (CONFIRMED, CLEARED) and whether the key was replayed.',
      labelNames: ['outcome', 'replayed'],
    });
  }

  flagged(source: string, result: FlagResultLabel): void {
    this.flags.inc({ source, result });
  }

  verified(outcome: VerificationOutcome, replayed: boolean): void {
    this.verifications.inc({ outcome, replayed: String(replayed) });
  }
}
