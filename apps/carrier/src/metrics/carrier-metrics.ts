import { Inject, Injectable } from '@nestjs/common';
import { fromTimestamp, type admin } from '@app/contracts';
import type { CarrierEvent, Decision, RuleDemotion } from '@app/domain';
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
  private readonly count;
  private readonly lag;
  private readonly feedCursor;
  private readonly shardLog;
  private readonly ruleDemoted;
  private readonly carrier: string;

  constructor(metrics: Metrics, @Inject(CARRIER_CONFIG) config: CarrierConfig) {
    const carrier = (this.carrier = config.carrierId);
    const ingested = new PreboundCounter(
      'fraud_events_ingested_total',
      'Valid events received on IngestEvents, by type ' +
        '(late and duplicate ones included: see fraud_events_rejected_total).',
    );
    const rejected = new PreboundCounter(
      'fraud_events_rejected_total',
      'Events not analysed, by reason: invalid (refused with its index), late (behind the allowed lateness), ' +
        'future (dated past the allowance ahead of the service clock), duplicate (an id seen before).',
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
    this.count = metrics.counters({
      decisions: [
        'fraud_decisions_total',
        ['carrier', 'action', 'reason', 'shadow'],
        'Decisions recorded, by action, reason code (a decision with several counts under each; NONE without any) ' +
          'and shadow policy.',
      ],
      calleeWarnings: [
        'fraud_callee_warnings_total',
        ['carrier'],
        'Callees warned by SMS (policy.calleeProtection) after answering a call from a number at its fromStep ' +
          'or above; a replayed warning is not counted again.',
      ],
      demotions: [
        'fraud_rule_demotions_total',
        ['carrier', 'policy', 'reason', 'shadow'],
        'Reasons demoted by their error budget (policy.errorBudget), counted once each when it trips.',
      ],
      directives: [
        'fraud_directives_applied_total',
        ['carrier', 'kind', 'outcome'],
        'Directives answered, by kind and outcome (APPLIED, REJECTED); ' +
          'a redelivered one is answered from the log and not counted again.',
      ],
    } as const);
    this.lag = metrics.histograms(
      {
        directive: [
          'fraud_directive_lag_seconds',
          ['carrier', 'kind'],
          'From the administration issuing a directive to this carrier applying it, in seconds ' +
            '(first application only).',
        ],
        registryFeed: [
          'fraud_registry_feed_lag_seconds',
          ['carrier'],
          'From a registry status change to this carrier applying it, in seconds (the newest change of each batch).',
        ],
      } as const,
      LAG_BUCKETS,
    );
    this.feedCursor = metrics.gauges({
      cursor: [
        'fraud_registry_feed_cursor',
        ['carrier'],
        'The registry change version this carrier has applied (compare fraud_registry_change_version).',
      ],
    } as const).cursor;
    this.shardLog = metrics.gauges({
      lag: [
        'fraud_shard_lag_entries',
        ['carrier', 'shard'],
        "Shard mode: log entries this shard has not made durable yet (the log's last entry minus its own).",
      ],
      restarts: [
        'fraud_shard_restarts',
        ['carrier', 'shard'],
        'Shard mode: times this process started its shard again from its snapshot (a part that did not come, ' +
          'NATS or the database gone) since it started.',
      ],
    } as const);
    this.ruleDemoted = metrics.gauges({
      demoted: [
        'fraud_rule_demoted',
        ['carrier', 'policy', 'reason', 'shadow'],
        'A reason demoted by its error budget on a running policy: 1 while it counts only up to WARN, ' +
          '0 once an operator re-enabled it.',
      ],
    } as const).demoted;
  }

  /** Demotions committed now: counted, and their gauge raised. */
  demoted(demotions: readonly RuleDemotion[]): void {
    for (const d of demotions) {
      const labels = { carrier: this.carrier, policy: d.policy, reason: d.reason, shadow: String(d.shadow) };
      this.count.demotions.inc(labels);
      this.ruleDemoted.set(labels, 1);
    }
  }

  /** A demotion in force put back at start-up (1), or a reason re-enabled (0). */
  ruleDemotedState(policy: string, reason: string, shadow: boolean, demoted: boolean): void {
    this.ruleDemoted.set({ carrier: this.carrier, policy, reason, shadow: String(shadow) }, demoted ? 1 : 0);
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
        this.count.decisions.inc({ carrier: this.carrier, action: d.action, reason: 'NONE', shadow });
      for (const reason of d.reasons)
        this.count.decisions.inc({ carrier: this.carrier, action: d.action, reason, shadow });
    }
  }

  /** Callee warnings newly stored. */
  calleesWarned(count: number): void {
    if (count > 0) this.count.calleeWarnings.inc({ carrier: this.carrier }, count);
  }

  /** A directive applied (or rejected) now, for the first time. */
  directiveAnswered(directive: admin.Directive, kind: string, outcome: string, now: Date): void {
    this.count.directives.inc({ carrier: this.carrier, kind, outcome });
    let issuedAt: Date | undefined;
    try {
      issuedAt = fromTimestamp(directive.issuedAt, 'issued_at');
    } catch {
      return; // a malformed time measures nothing
    }
    if (issuedAt)
      this.lag.directive.observe(
        { carrier: this.carrier, kind },
        Math.max(0, (now.getTime() - issuedAt.getTime()) / 1000),
      );
  }

  /** Shard mode: how far this shard is behind the carrier's log, and how often it restarted. */
  shardState(shard: number, lag: number, restarts: number): void {
    const labels = { carrier: this.carrier, shard: String(shard) };
    this.shardLog.lag.set(labels, lag);
    this.shardLog.restarts.set(labels, restarts);
  }

  registryChangesApplied(version: number, newestChangeAtMs: number, now: number): void {
    this.feedCursor.set({ carrier: this.carrier }, version);
    this.lag.registryFeed.observe({ carrier: this.carrier }, Math.max(0, (now - newestChangeAtMs) / 1000));
  }
}
