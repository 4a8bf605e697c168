import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Action, ReasonCode } from '@app/domain';
import type { DayRange } from './day-range';
import {
  COUNTED_ACTIONS,
  NO_REASON,
  type CalleeWarningCount,
  type DailyActionCount,
  type DemotedRule,
  type ReasonCount,
  type Suspension,
} from './figures';

export interface NumberCount {
  msisdn: string;
  count: number;
  carriers: string[];
}

/** One decision behind a chart's point: which number, when, what and why. */
export interface DecidedNumber {
  msisdn: string;
  carrier: string;
  action: string;
  at: Date;
  reasons: string[];
}

/** What is waiting on someone now (not a range): the dashboard's header. */
export interface Workload {
  /** Cases not resolved yet (OPEN or ESCALATED). */
  openCases: number;
  /** Of those, the ones past their service-level time (escalated, or due and not swept yet). */
  slaBreaches: number;
  /** Directives not acknowledged yet (PENDING or DELIVERED). */
  directivesOpen: number;
}

/** The day of `at` in China Standard Time (fixed +08:00, no time-zone database needed). */
const CST_DAY = `to_char((d.at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD')`;
/** The measure a carrier's analysis reports with CORROBORATED_REPORTS (libs/domain evaluate.ts). */
const REPORTERS_MEASURE = 'corroborated_reporters';

/**
 * Read-only look at the carriers' feed (carrier_decision, daily_count and callee_warning_count,
 * written by the feed feature) for the oversight figures. Every query takes
 * the range's instants and, optionally, one carrier ($3, NULL for all).
 */
@Injectable()
export class OversightRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Decisions per day, carrier, policy, reason and counted action; a decision
   * counts once under each of its reasons.
   */
  async reasonCounts(range: DayRange, carrier: string | null): Promise<ReasonCount[]> {
    const rows: { day: string; carrier: string; policy: string; reason: string; action: string; count: string }[] =
      await this.dataSource.query(
        `SELECT ${CST_DAY} AS day, d.carrier, d.policy, r.reason, d.action, count(DISTINCT d.decision_id) AS count
       FROM carrier_decision d
       CROSS JOIN LATERAL unnest(CASE WHEN cardinality(d.reasons) = 0 THEN ARRAY[$4]::text[] ELSE d.reasons END)
         AS r(reason)
       WHERE d.at >= $1 AND d.at < $2 AND ($3::varchar IS NULL OR d.carrier = $3) AND d.action = ANY($5::varchar[])
       GROUP BY 1, 2, 3, 4, 5`,
        [range.start, range.end, carrier, NO_REASON, COUNTED_ACTIONS],
      );
    return rows.map((r) => ({ ...r, action: r.action as ReasonCount['action'], count: Number(r.count) }));
  }

  /** The carriers' own daily counts of the counted actions, for the days of the range. */
  async reportedCounts(range: DayRange, carrier: string | null): Promise<ReasonCount[]> {
    const rows: { day: string; carrier: string; policy: string; reason: string; action: string; count: string }[] =
      await this.dataSource.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, carrier, policy, reason, action, count FROM daily_count
       WHERE day >= $1::date AND day <= $2::date AND ($3::varchar IS NULL OR carrier = $3)
         AND action = ANY($4::varchar[])`,
        [range.from, range.to, carrier, COUNTED_ACTIONS],
      );
    return rows.map((r) => ({ ...r, action: r.action as ReasonCount['action'], count: Number(r.count) }));
  }

  /** The carriers' own daily counts of callee warnings, per day and policy, for the days of the range. */
  async calleeWarnings(range: DayRange, carrier: string | null): Promise<CalleeWarningCount[]> {
    const rows: { day: string; carrier: string; policy: string; count: string }[] = await this.dataSource.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, carrier, policy, count FROM callee_warning_count
       WHERE day >= $1::date AND day <= $2::date AND ($3::varchar IS NULL OR carrier = $3)
       ORDER BY 1, 2, 3`,
      [range.from, range.to, carrier],
    );
    return rows.map((r) => ({ ...r, count: Number(r.count) }));
  }

  /** Decisions per day, carrier and action, each decision once (the charts). */
  async actionCounts(range: DayRange, carrier: string | null): Promise<DailyActionCount[]> {
    const rows: { day: string; carrier: string; action: string; count: string }[] = await this.dataSource.query(
      `SELECT ${CST_DAY} AS day, d.carrier, d.action, count(*) AS count FROM carrier_decision d
       WHERE d.at >= $1 AND d.at < $2 AND ($3::varchar IS NULL OR d.carrier = $3)
       GROUP BY 1, 2, 3`,
      [range.start, range.end, carrier],
    );
    return rows.map((r) => ({ day: r.day, carrier: r.carrier, action: r.action as Action, count: Number(r.count) }));
  }

  /**
   * The suspensions of the range, each with the first restore of the same
   * number by the same carrier after it (at any later time).
   */
  async suspensions(range: DayRange, carrier: string | null): Promise<Suspension[]> {
    const rows: {
      carrier: string;
      msisdn: string;
      reasons: string[];
      at: Date;
      restored_at: Date | null;
      restore_reasons: string[] | null;
    }[] = await this.dataSource.query(
      `SELECT d.carrier, d.msisdn, d.reasons, d.at, r.at AS restored_at, r.reasons AS restore_reasons
       FROM carrier_decision d
       LEFT JOIN LATERAL (
         SELECT x.at, x.reasons FROM carrier_decision x
         WHERE x.msisdn = d.msisdn AND x.carrier = d.carrier AND x.action = $4 AND x.at > d.at
         ORDER BY x.at LIMIT 1
       ) r ON true
       WHERE d.at >= $1 AND d.at < $2 AND ($3::varchar IS NULL OR d.carrier = $3) AND d.action = $5`,
      [range.start, range.end, carrier, Action.Restore, Action.Suspend],
    );
    return rows.map((r) => ({
      carrier: r.carrier,
      msisdn: r.msisdn,
      reasons: r.reasons,
      at: r.at,
      ...(r.restored_at === null ? {} : { restore: { at: r.restored_at, reasons: r.restore_reasons ?? [] } }),
    }));
  }

  /** The rules demoted at some time in the range (demoted before its end, not re-enabled before its start). */
  async demotedRules(range: DayRange, carrier: string | null): Promise<(DemotedRule & { carrier: string })[]> {
    const rows: {
      carrier: string;
      policy: string;
      reason: string;
      demoted_at: Date;
      mistakes: number;
      actions: number;
      window_days: number;
      reenabled_at: Date | null;
      reenabled_by: string | null;
      why: string | null;
    }[] = await this.dataSource.query(
      `SELECT carrier, policy, reason, demoted_at, mistakes, actions, window_days, reenabled_at, reenabled_by, why
       FROM rule_demotion
       WHERE demoted_at < $2 AND (reenabled_at IS NULL OR reenabled_at >= $1) AND ($3::varchar IS NULL OR carrier = $3)
       ORDER BY carrier, demoted_at, reason`,
      [range.start, range.end, carrier],
    );
    return rows.map((r) => ({
      carrier: r.carrier,
      policy: r.policy,
      reason: r.reason,
      demotedAt: r.demoted_at,
      mistakes: Number(r.mistakes),
      actions: Number(r.actions),
      windowDays: Number(r.window_days),
      reenabledAt: r.reenabled_at,
      reenabledBy: r.reenabled_by,
      why: r.why,
    }));
  }

  /**
   * Numbers by corroborated reports: per carrier the highest reporter count its
   * CORROBORATED_REPORTS decisions state (1 for a decision without the
   * measure), summed over carriers (each counts its own subscribers).
   */
  async topReported(range: DayRange, carrier: string | null, limit: number): Promise<NumberCount[]> {
    const rows: { msisdn: string; count: string; carriers: string[] }[] = await this.dataSource.query(
      `SELECT msisdn, sum(reporters) AS count, array_agg(carrier ORDER BY carrier) AS carriers
       FROM (
         SELECT d.msisdn, d.carrier,
                max(COALESCE((SELECT max((m->>'value')::float8)
                                FROM jsonb_array_elements(d.evidence->'measures') m
                               WHERE m->>'name' = $5), 1)) AS reporters
         FROM carrier_decision d
         WHERE d.at >= $1 AND d.at < $2 AND ($3::varchar IS NULL OR d.carrier = $3) AND $4 = ANY(d.reasons)
         GROUP BY d.msisdn, d.carrier
       ) per_carrier
       GROUP BY msisdn ORDER BY count DESC, msisdn LIMIT $6`,
      [range.start, range.end, carrier, ReasonCode.CorroboratedReports, REPORTERS_MEASURE, limit],
    );
    // Reporter counts are whole numbers; a measure sent as 2.0000001 must not reach an int64 as a fraction.
    return rows.map((r) => ({ msisdn: r.msisdn, count: Math.round(Number(r.count)), carriers: r.carriers }));
  }

  /** The decisions of `actions` in the range (a chart's day), oldest first, at most `limit`. */
  async decidedNumbers(
    range: DayRange,
    carrier: string | null,
    actions: readonly Action[],
    limit: number,
  ): Promise<DecidedNumber[]> {
    const rows: { msisdn: string; carrier: string; action: string; at: Date; reasons: string[] }[] =
      await this.dataSource.query(
        `SELECT d.msisdn, d.carrier, d.action, d.at, d.reasons FROM carrier_decision d
         WHERE d.at >= $1 AND d.at < $2 AND ($3::varchar IS NULL OR d.carrier = $3) AND d.action = ANY($4::varchar[])
         ORDER BY d.at, d.msisdn LIMIT $5`,
        [range.start, range.end, carrier, actions, limit],
      );
    return rows;
  }

  /**
   * Read-only counts of the cases' and directives' tables (their features own
   * the writes): with a carrier, the cases of its subscribers and its directives; directives to the
   * `running` carriers only.
   */
  async workload(carrier: string | null, running: readonly string[], now: Date): Promise<Workload> {
    const [cases, directives]: [{ open: number; breached: number }[], { open: number }[]] = await Promise.all([
      this.dataSource.query(
        `SELECT count(*)::int AS open,
                (count(*) FILTER (WHERE status = 'ESCALATED' OR due_at < $1))::int AS breached
           FROM case_file WHERE resolved_at IS NULL AND ($2::varchar IS NULL OR owner = $2)`,
        [now, carrier],
      ),
      this.dataSource.query(
        `SELECT count(*)::int AS open FROM directive
          WHERE status IN ('PENDING', 'DELIVERED') AND ($1::varchar IS NULL OR carrier = $1) AND carrier = ANY($2)`,
        [carrier, running],
      ),
    ]);
    return { openCases: cases[0]!.open, slaBreaches: cases[0]!.breached, directivesOpen: directives[0]!.open };
  }

  /**
   * Numbers flagged (RESTRICT, SUSPEND or REPORT) by more than one carrier;
   * with a carrier, only numbers it flagged too.
   */
  async multiCarrier(range: DayRange, carrier: string | null, limit: number): Promise<NumberCount[]> {
    const rows: { msisdn: string; count: string; carriers: string[] }[] = await this.dataSource.query(
      `SELECT d.msisdn, count(DISTINCT d.carrier) AS count, array_agg(DISTINCT d.carrier ORDER BY d.carrier) AS carriers
       FROM carrier_decision d
       WHERE d.at >= $1 AND d.at < $2 AND d.action = ANY($4::varchar[])
       GROUP BY d.msisdn
       HAVING count(DISTINCT d.carrier) > 1 AND ($3::varchar IS NULL OR bool_or(d.carrier = $3))
       ORDER BY count DESC, d.msisdn LIMIT $5`,
      [range.start, range.end, carrier, [Action.Restrict, Action.Suspend, Action.Report], limit],
    );
    return rows.map((r) => ({ msisdn: r.msisdn, count: Number(r.count), carriers: r.carriers }));
  }
}
