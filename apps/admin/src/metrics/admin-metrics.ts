import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Metrics, scrapeRead } from '@app/observability';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';
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
 * Open directives count only for the configured carriers (AdminConfig.carriers):
 * one to a carrier that is not running (CBN by default) waits for good, and would
 * keep the oldest-open-directive alert firing.
 */
@Injectable()
export class AdminMetrics {
  private readonly logger = new Logger(AdminMetrics.name);
  private readonly count;

  constructor(metrics: Metrics, dataSource: DataSource, @Inject(ADMIN_CONFIG) config: AdminConfig) {
    this.count = metrics.counters({
      feedItems: [
        'fraud_admin_feed_items_total',
        ['carrier', 'kind', 'result'],
        'Carrier feed items received, by carrier, kind (decision, daily_count, callee_warnings) ' +
          'and result (accepted, replayed key).',
      ],
      feedDecisions: [
        'fraud_admin_feed_decisions_total',
        ['carrier', 'action'],
        'Carrier decisions accepted from the feeds, by carrier and action.',
      ],
      issued: [
        'fraud_admin_directives_issued_total',
        ['carrier', 'kind', 'issuer'],
        'Directives issued, by addressed carrier, kind and issuer (admin, policy, cells).',
      ],
      acks: [
        'fraud_admin_directive_acks_total',
        ['carrier', 'outcome'],
        'Directive acknowledgements recorded, by carrier and outcome (APPLIED, REJECTED).',
      ],
    } as const);

    const logger = this.logger;
    // Both gauges of a scrape share one read of the open directives (a partial index).
    const open = scrapeRead(
      () =>
        dataSource.query<OpenDirectives[]>(
          `SELECT carrier, status, count(*)::int AS n, min(issued_at) AS oldest
             FROM directive WHERE status IN ('PENDING', 'DELIVERED') AND carrier = ANY($1)
            GROUP BY carrier, status`,
          [config.carriers],
        ),
      (error) => logger.warn(`open directives unreadable for metrics: ${error.message}`),
    );
    metrics.gauges({
      open: [
        'fraud_admin_directives_open',
        ['carrier', 'state'],
        'Directives not yet acknowledged, by configured carrier and state ' +
          '(PENDING: not sent yet, DELIVERED: sent, unanswered).',
        async function () {
          const rows = await open();
          if (!rows) return;
          this.reset();
          for (const r of rows) this.set({ carrier: r.carrier, state: r.status }, r.n);
        },
      ],
      oldestOpenAge: [
        'fraud_admin_directive_oldest_open_age_seconds',
        ['carrier'],
        'Age of the oldest unacknowledged directive per configured carrier, in seconds.',
        async function () {
          const rows = await open();
          if (!rows) return;
          this.reset();
          const oldest = new Map<string, number>();
          for (const r of rows)
            oldest.set(r.carrier, Math.min(oldest.get(r.carrier) ?? Infinity, new Date(r.oldest).getTime()));
          for (const [carrier, at] of oldest) this.set({ carrier }, Math.max(0, (Date.now() - at) / 1000));
        },
      ],
      cases: [
        'fraud_admin_cases',
        ['status'],
        'Unresolved cases, by status (OPEN, ESCALATED: past its service-level time).',
        async function () {
          try {
            const rows = await dataSource.query<{ status: string; n: number }[]>(
              `SELECT status, count(*)::int AS n FROM case_file
                WHERE status IN ('OPEN', 'ESCALATED') AND resolved_at IS NULL
                GROUP BY status`,
            );
            for (const status of ['OPEN', 'ESCALATED'])
              this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
          } catch (error) {
            logger.warn(`cases unreadable for metrics: ${(error as Error).message}`);
          }
        },
      ],
    });
  }

  /** One feed: what was taken, and what repeated a key seen before. */
  fed(carrier: string, entries: readonly FeedEntry[], taken: readonly FeedEntry[]): void {
    const accepted = new Set(taken);
    for (const entry of entries) {
      const kind = entry.decision
        ? 'decision'
        : entry.count
          ? 'daily_count'
          : entry.demotion
            ? 'rule_demotion'
            : 'callee_warnings';
      const isNew = accepted.has(entry);
      this.count.feedItems.inc({ carrier, kind, result: isNew ? 'accepted' : 'replayed' });
      if (isNew && entry.decision) this.count.feedDecisions.inc({ carrier, action: entry.decision.action });
    }
  }

  directiveIssued(carrier: string, kind: string, issuer: DirectiveIssuer): void {
    this.count.issued.inc({ carrier, kind, issuer });
  }

  directiveAcknowledged(carrier: string, outcome: string): void {
    this.count.acks.inc({ carrier, outcome });
  }
}
