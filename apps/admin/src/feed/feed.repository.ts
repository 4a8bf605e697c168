import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Action } from '@app/domain';
import type { StoredEvidence } from './evidence';
import type { FeedCalleeWarnings, FeedCount, FeedDecision, FeedDemotion } from './feed-items';

/** A carrier's REPORT decision on another carrier's number. */
export interface InterNetworkReport {
  carrier: string;
  decisionId: string;
  msisdn: string;
  at: Date;
  evidence: StoredEvidence;
}

/** Owns feed_item (keys taken), carrier_decision, daily_count, callee_warning_count and rule_demotion. */
@Injectable()
export class FeedRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Takes the keys not seen before for this carrier; answers which were new. */
  async takeKeys(em: EntityManager, carrier: string, keys: string[]): Promise<Set<string>> {
    const rows: { idempotency_key: string }[] = await em.query(
      `INSERT INTO feed_item (carrier, idempotency_key) SELECT $1, k FROM unnest($2::varchar[]) AS k
       ON CONFLICT DO NOTHING RETURNING idempotency_key`,
      [carrier, keys],
    );
    return new Set(rows.map((r) => r.idempotency_key));
  }

  /** A decision id already stored (under another key) keeps its first content: decisions do not change. */
  async insertDecisions(em: EntityManager, carrier: string, decisions: FeedDecision[]): Promise<void> {
    if (decisions.length === 0) return;
    await em.query(
      `INSERT INTO carrier_decision
              (carrier, decision_id, msisdn, action, previous, reasons, score, policy, at, evidence)
       SELECT $1, decision_id, msisdn, action, previous, reasons, score, policy, at, evidence
       FROM jsonb_to_recordset($2::jsonb)
         AS d(decision_id varchar, msisdn varchar, action varchar, previous varchar, reasons text[],
              score float8, policy varchar, at timestamptz, evidence jsonb)
       ON CONFLICT (carrier, decision_id) DO NOTHING`,
      [
        carrier,
        JSON.stringify(
          decisions.map((d) => ({
            decision_id: d.decisionId,
            msisdn: d.msisdn,
            action: d.action,
            previous: d.previous,
            reasons: d.reasons,
            score: d.score,
            policy: d.policy,
            at: d.at.toISOString(),
            evidence: d.evidence,
          })),
        ),
      ],
    );
  }

  /** A later count for the same day, policy, action and reason replaces the earlier one. */
  async upsertCounts(em: EntityManager, carrier: string, counts: FeedCount[]): Promise<void> {
    if (counts.length === 0) return;
    await em.query(
      `INSERT INTO daily_count (carrier, day, policy, action, reason, count)
       SELECT $1, day, policy, action, reason, count
       FROM unnest($2::date[], $3::varchar[], $4::varchar[], $5::varchar[], $6::bigint[])
         AS u(day, policy, action, reason, count)
       ON CONFLICT (carrier, day, policy, action, reason) DO UPDATE SET count = EXCLUDED.count`,
      [
        carrier,
        counts.map((c) => c.day),
        counts.map((c) => c.policy),
        counts.map((c) => c.action),
        counts.map((c) => c.reason),
        counts.map((c) => c.count),
      ],
    );
  }

  /** A later count of callee warnings for the same day and policy replaces the earlier one. */
  async upsertCalleeWarnings(em: EntityManager, carrier: string, counts: FeedCalleeWarnings[]): Promise<void> {
    if (counts.length === 0) return;
    await em.query(
      `INSERT INTO callee_warning_count (carrier, day, policy, count)
       SELECT $1, day, policy, count FROM unnest($2::date[], $3::varchar[], $4::bigint[]) AS u(day, policy, count)
       ON CONFLICT (carrier, day, policy) DO UPDATE SET count = EXCLUDED.count`,
      [carrier, counts.map((c) => c.day), counts.map((c) => c.policy), counts.map((c) => c.count)],
    );
  }

  /**
   * Demotions and re-enables: one row per demotion, a re-enable filling in its
   * row (or making it, when it arrives first); a demotion never takes one back.
   */
  async upsertDemotions(em: EntityManager, carrier: string, demotions: FeedDemotion[]): Promise<void> {
    if (demotions.length === 0) return;
    await em.query(
      `INSERT INTO rule_demotion
              (carrier, policy, reason, demoted_at, mistakes, actions, window_days, reenabled_at, reenabled_by, why)
       SELECT $1, policy, reason, demoted_at, mistakes, actions, window_days, reenabled_at, reenabled_by, why
       FROM jsonb_to_recordset($2::jsonb)
         AS d(policy varchar, reason varchar, demoted_at timestamptz, mistakes int, actions int, window_days float8,
              reenabled_at timestamptz, reenabled_by varchar, why text)
       ON CONFLICT (carrier, policy, reason, demoted_at) DO UPDATE SET
         reenabled_at = COALESCE(EXCLUDED.reenabled_at, rule_demotion.reenabled_at),
         reenabled_by = COALESCE(EXCLUDED.reenabled_by, rule_demotion.reenabled_by),
         why = COALESCE(EXCLUDED.why, rule_demotion.why)`,
      [
        carrier,
        JSON.stringify(
          demotions.map((d) => ({
            policy: d.policy,
            reason: d.reason,
            demoted_at: d.demotedAt.toISOString(),
            mistakes: d.mistakes,
            actions: d.actions,
            window_days: d.windowDays,
            reenabled_at: d.reenabled?.at.toISOString() ?? null,
            reenabled_by: d.reenabled?.by ?? null,
            why: d.reenabled?.why ?? null,
          })),
        ),
      ],
    );
  }

  /** REPORT decisions on these numbers with event time from `since`, oldest first. */
  async reportsOn(msisdns: string[], since: Date): Promise<InterNetworkReport[]> {
    if (msisdns.length === 0) return [];
    const rows: { carrier: string; decision_id: string; msisdn: string; at: Date; evidence: StoredEvidence }[] =
      await this.dataSource.query(
        `SELECT carrier, decision_id, msisdn, at, evidence FROM carrier_decision
       WHERE msisdn = ANY($1::varchar[]) AND action = $2 AND at >= $3 ORDER BY at, carrier, decision_id`,
        [msisdns, Action.Report, since],
      );
    return rows.map((r) => ({
      carrier: r.carrier,
      decisionId: r.decision_id,
      msisdn: r.msisdn,
      at: r.at,
      evidence: r.evidence,
    }));
  }
}
