import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';
import { Metrics } from '@app/observability';
import type { FeedEntry } from '../feed/feed-items';

interface OpenDirectives {
  carrier: string;
  status: string;
  n: number;
  oldest: Date;
}

/** Who issued a directive: an administrator, the correlation policy, or a change of the cell list. */
export type DirectiveIssuer = 'admin' | 'policy' | 'cells';

/**
 * The administration's own metrics: the carriers' feeds received, directives
 * issued and acknowledged, and, read from the database on scrape, the open
 * (unacknowledged) directives with the age of the oldest, and the unresolved cases.
 */
@Injectable()
export class AdminMetrics {
  private readonly logger = new Logger(AdminMetrics.name);
  private readonly feedItems: Counter<'carrier' | 'kind' | 'result'>;
  private readonly feedDecisions: Counter<'carrier' | 'action'>;
  private readonly issued: Counter<'carrier' | 'kind' | 'issuer'>;
  private readonly acks: Counter<'carrier' | 'outcome'>;
  private reading: Promise<OpenDirectives[] | undefined> | undefined;

  constructor(metrics: Metrics, dataSource: DataSource) {
    this.feedItems = metrics.counter({
      name: 'fraud_admin_feed_items_total',
      help: 'Carrier feed items received, by carrier, kind (decision, daily_count) and result (accepted, replayed key).',
      labelNames: ['carrier', 'kind', 'result'],
    });
    this.feedDecisions = metrics.counter({
      name: 'fraud_admin_feed_decisions_total',
      help: 'Carrier decisions accepted from the feeds, by carrier and action.',
      labelNames: ['carrier', 'action'],
    });
    this.issued = metrics.counter({
      name: 'fraud_admin_directives_issued_total',
      help: 'Directives issued, by addressed carrier, kind and issuer (admin, policy, cells).',
      labelNames: ['carrier', 'kind', 'issuer'],
    });
    this.acks = metrics.counter({
      name: 'fraud_admin_directive_acks_total',
      help: 'Directive acknowledgements recorded, by carrier and outcome (APPLIED, REJECTED).',
      labelNames: ['carrier', 'outcome'],
    });

    const logger = this.logger;
    // Both gauges of a scrape share one read of the open directives (a partial index).
    const open = (): Promise<OpenDirectives[] | undefined> =>
      (this.reading ??= dataSource
        .query<OpenDirectives[]>(
          `SELECT carrier, status, count(*)::int AS n, min(issued_at) AS oldest FROM directive WHERE status IN ('PENDING', 'DELIVERED') GROUP BY carrier, status`,
        )
        .catch((error: Error) => {
          logger.warn(`open directives unreadable for metrics: ${error.message}`);
          return undefined;
        })
        .finally(() => setImmediate(() => (this.reading = undefined))));
    metrics.gauge({
      name: 'fraud_admin_directives_open',
      help: 'Directives not yet acknowledged, by carrier and state (PENDING: not sent yet, DELIVERED: sent, unanswered).',
      labelNames: ['carrier', 'state'],
      async collect() {
        const rows = await open();
        if (!rows) return;
        this.reset();
        for (const r of rows) this.set({ carrier: r.carrier, state: r.status }, r.n);
      },
    });
    metrics.gauge({
      name: 'fraud_admin_directive_oldest_open_age_seconds',
      help: 'Age of the oldest unacknowledged directive per carrier, in seconds.',
      labelNames: ['carrier'],
      async collect() {
        const rows = await open();
        if (!rows) return;
        this.reset();
        const oldest = new Map<string, number>();
        for (const r of rows)
          oldest.set(r.carrier, Math.min(oldest.get(r.carrier) ?? Infinity, new Date(r.oldest).getTime()));
        for (const [carrier, at] of oldest) this.set({ carrier }, Math.max(0, (Date.now() - at) / 1000));
      },
    });
    metrics.gauge({
      name: 'fraud_admin_cases',
      help: 'Unresolved cases, by status (OPEN, ESCALATED: past its service-level time).',
      labelNames: ['status'],
      async collect() {
        try {
          const rows = await dataSource.query<{ status: string; n: number }[]>(
            `SELECT status, count(*)::int AS n FROM case_file WHERE status IN ('OPEN', 'ESCALATED') AND resolved_at IS NULL GROUP BY status`,
          );
          for (const status of ['OPEN', 'ESCALATED'])
            this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
        } catch (error) {
          logger.warn(`cases unreadable for metrics: ${(error as Error).message}`);
        }
      },
    });
  }

  /** One feed: what was taken, and what repeated a key seen before. */
  fed(carrier: string, entries: readonly FeedEntry[], taken: readonly FeedEntry[]): void {
    const accepted = new Set(taken);
    for (const entry of entries) {
      const kind = entry.decision ? 'decision' : 'daily_count';
      const isNew = accepted.has(entry);
      this.feedItems.inc({ carrier, kind, result: isNew ? 'accepted' : 'replayed' });
      if (isNew && entry.decision) this.feedDecisions.inc({ carrier, action: entry.decision.action });
    }
  }

  directiveIssued(carrier: string, kind: string, issuer: DirectiveIssuer): void {
    this.issued.inc({ carrier, kind, issuer });
  }

  directiveAcknowledged(carrier: string, outcome: string): void {
    this.acks.inc({ carrier, outcome });
  }
}
