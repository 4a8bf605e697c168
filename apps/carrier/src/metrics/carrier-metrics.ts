import { Inject, Injectable } from '@nestjs/common';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { fromTimestamp, type admin } from '@app/contracts';
import type { CarrierEvent, Decision } from '@app/domain';
import { LAG_BUCKETS, Metrics, PreboundCounter, type CounterCell } from '@app/observability';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';

/** Event types that travel on IngestEvents (the file format's others are replay-only). */
/** The kinds IngestEvents carries (the others reach a carrier through their own RPCs or the registry). */
const EVENT_TYPES = [
  'subscriber',
  'call',
  'sms',
  'location',
  'report',
] as const satisfies readonly CarrierEvent['type'][];
type EventType = (typeof EVENT_TYPES)[number];

/** Why an event was not analysed. */
export type RejectionReason = 'invalid' | 'late' | 'duplicate' | 'future';

/**
 * The carrier's own metrics. Ingest counts go to cells bound once per type, so
 * a batch costs an addition per event and nothing allocated; the rest
 * (decisions, directives, the registry feed) comes at far lower rates.
 */
@Injectable()
export class CarrierMetrics {
  private readonly ingestedByType: Record<EventType, CounterCell>;
  private readonly rejectedByReason: Record<RejectionReason, CounterCell>;
  private readonly decisions: Counter<'carrier' | 'action' | 'reason' | 'shadow'>;
  private readonly directiveLag: Histogram<'carrier' | 'kind'>;
  private readonly directives: Counter<'carrier' | 'kind' | 'outcome'>;
  private readonly feedLag: Histogram<'carrier'>;
  private readonly feedCursor: Gauge<'carrier'>;
  private readonly carrier: string;

  constructor(metrics: Metrics, @Inject(CARRIER_CONFIG) config: CarrierConfig) {
    const carrier = (this.carrier = config.carrierId);
    const ingested = new PreboundCounter(
      'fraud_events_ingested_total',
      'Valid events received on IngestEvents, by type (late and duplicate ones included: see fraud_events_rejected_total).',
    );
    const rejected = new PreboundCounter(
      'fraud_events_rejected_total',
      'Events not analysed, by reason: invalid (refused with its index), late (behind the allowed lateness), future (dated past the allowance ahead of the service clock), duplicate (an id seen before).',
    );
    metrics.register(ingested);
    metrics.register(rejected);
    this.ingestedByType = Object.fromEntries(
      EVENT_TYPES.map((type) => [type, ingested.bind({ carrier, type })]),
    ) as Record<EventType, CounterCell>;
    this.rejectedByReason = {
      invalid: rejected.bind({ carrier, reason: 'invalid' }),
      late: rejected.bind({ carrier, reason: 'late' }),
      future: rejected.bind({ carrier, reason: 'future' }),
      duplicate: rejected.bind({ carrier, reason: 'duplicate' }),
    };
    this.decisions = metrics.counter({
      name: 'fraud_decisions_total',
      help: 'Decisions recorded, by action, reason code (a decision with several counts under each; NONE without any) and shadow policy.',
      labelNames: ['carrier', 'action', 'reason', 'shadow'],
    });
    this.directiveLag = metrics.histogram({
      name: 'fraud_directive_lag_seconds',
      help: 'From the administration issuing a directive to this carrier applying it, in seconds (first application only).',
      labelNames: ['carrier', 'kind'],
      buckets: LAG_BUCKETS,
    });
    this.directives = metrics.counter({
      name: 'fraud_directives_applied_total',
      help: 'Directives answered, by kind and outcome (APPLIED, REJECTED); a redelivered one is answered from the log and not counted again.',
      labelNames: ['carrier', 'kind', 'outcome'],
    });
    this.feedLag = metrics.histogram({
      name: 'fraud_registry_feed_lag_seconds',
      help: 'From a registry status change to this carrier applying it, in seconds (the newest change of each batch).',
      labelNames: ['carrier'],
      buckets: LAG_BUCKETS,
    });
    this.feedCursor = metrics.gauge({
      name: 'fraud_registry_feed_cursor',
      help: 'The registry change version this carrier has applied (compare fraud_registry_change_version).',
      labelNames: ['carrier'],
    });
  }

  /** One batch of IngestEvents: its valid events by type, and what was not analysed. */
  ingested(events: readonly CarrierEvent[], invalid: number, late: number, duplicates: number, future: number): void {
    const byType = this.ingestedByType;
    for (let i = 0; i < events.length; i++) {
      const cell = byType[events[i]!.type as EventType] as CounterCell | undefined;
      if (cell) cell.value++;
    }
    if (invalid > 0) this.rejectedByReason.invalid.inc(invalid);
    if (late > 0) this.rejectedByReason.late.inc(late);
    if (future > 0) this.rejectedByReason.future.inc(future);
    if (duplicates > 0) this.rejectedByReason.duplicate.inc(duplicates);
  }

  decided(decisions: readonly Decision[]): void {
    for (const d of decisions) {
      const shadow = String(d.shadow);
      if (d.reasons.length === 0)
        this.decisions.inc({ carrier: this.carrier, action: d.action, reason: 'NONE', shadow });
      for (const reason of d.reasons) this.decisions.inc({ carrier: this.carrier, action: d.action, reason, shadow });
    }
  }

  /** A directive applied (or rejected) now, for the first time. */
  directiveAnswered(directive: admin.Directive, kind: string, outcome: string, now: Date): void {
    this.directives.inc({ carrier: this.carrier, kind, outcome });
    let issuedAt: Date | undefined;
    try {
      issuedAt = fromTimestamp(directive.issuedAt, 'issued_at');
    } catch {
      return; // a malformed time measures nothing
    }
    if (issuedAt)
      this.directiveLag.observe(
        { carrier: this.carrier, kind },
        Math.max(0, (now.getTime() - issuedAt.getTime()) / 1000),
      );
  }

  registryChangesApplied(version: number, newestChangeAtMs: number, now: number): void {
    this.feedCursor.set({ carrier: this.carrier }, version);
    this.feedLag.observe({ carrier: this.carrier }, Math.max(0, (now - newestChangeAtMs) / 1000));
  }
}
