import { Inject, Injectable, Logger } from '@nestjs/common';
import { Metrics, scrapeRead } from '@app/observability';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';
import { OUTBOX_DESTINATIONS, OutboxRepository, type Backlog } from './outbox.repository';

/**
 * The outbox backlog per destination (REGISTRY, ADMIN), read from the database
 * when Prometheus scrapes: the undelivered messages, those refused for good, and
 * the age of the oldest one waiting. One read serves the three gauges of a scrape.
 */
@Injectable()
export class OutboxMetrics {
  private readonly logger = new Logger(OutboxMetrics.name);

  constructor(metrics: Metrics, repository: OutboxRepository, @Inject(CARRIER_CONFIG) config: CarrierConfig) {
    const carrier = config.carrierId;
    // The three collect() calls of one scrape start together: they share one read.
    const backlog = scrapeRead(
      () => repository.backlog(),
      (error) => this.logger.warn(`outbox backlog unreadable for metrics: ${error.message}`),
    );
    const gauge = (name: string, help: string, value: (b: Backlog) => number | undefined) =>
      metrics.gauge({
        name,
        help,
        labelNames: ['carrier', 'destination'],
        async collect() {
          const read = await backlog();
          if (!read) return;
          for (const destination of OUTBOX_DESTINATIONS) {
            const v = value(read[destination]);
            if (v === undefined) this.remove({ carrier, destination });
            else this.set({ carrier, destination }, v);
          }
        },
      });
    gauge('fraud_outbox_pending', 'Outbox messages waiting to be delivered, per destination.', (b) => b.pending);
    gauge(
      'fraud_outbox_failed',
      'Outbox messages refused for good by their destination, kept for an operator.',
      (b) => b.failed,
    );
    gauge(
      'fraud_outbox_oldest_pending_age_seconds',
      'Age of the oldest message waiting, per destination (0 when none waits).',
      (b) => (b.oldestPendingAt ? Math.max(0, (Date.now() - b.oldestPendingAt.getTime()) / 1000) : 0),
    );
  }
}
