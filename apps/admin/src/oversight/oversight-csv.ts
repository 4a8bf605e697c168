import { toCsv } from '../http/csv';
import type { OversightFigures } from './oversight.service';

/** The quality table's row with a carrier's totals, beside its per-reason rows. */
export const ALL_REASONS = 'ALL';

export const OVERSIGHT_CSV_HEADER = [
  'day',
  'carrier',
  'policy',
  'reason',
  'warnings',
  'restrictions',
  'suspensions',
  'restorations',
] as const;
export const QUALITY_CSV_HEADER = [
  'carrier',
  'reason',
  'suspensions',
  'mistaken',
  'mistaken_kill_rate',
  'restore_hours_p50',
  'restore_hours_p90',
] as const;

export const DEMOTED_RULES_CSV_HEADER = [
  'carrier',
  'policy',
  'reason',
  'demoted_at',
  'mistakes',
  'actions',
  'window_days',
  'reenabled_at',
  'reenabled_by',
  'why',
] as const;

/** The per-reason table, one line per row. */
export function oversightCsv(figures: OversightFigures): string {
  return toCsv(
    OVERSIGHT_CSV_HEADER,
    figures.rows.map((r) => [
      r.day,
      r.carrier,
      r.policy,
      r.reason,
      r.warnings,
      r.restrictions,
      r.suspensions,
      r.restorations,
    ]),
  );
}

/** Each carrier's quality: its totals (reason ALL), then one line per reason. */
export function qualityCsv(figures: OversightFigures): string {
  return toCsv(
    QUALITY_CSV_HEADER,
    figures.quality.flatMap((q) => [
      [q.carrier, ALL_REASONS, q.suspensions, q.mistaken, q.mistakenKillRate, q.restoreHoursP50, q.restoreHoursP90],
      ...q.byReason.map((r) => [
        q.carrier,
        r.reason,
        r.suspensions,
        r.mistaken,
        r.mistakenKillRate,
        r.restoreHoursP50,
        r.restoreHoursP90,
      ]),
    ]),
  );
}

/** The demoted rules: one line per demotion, carrier by carrier; re-enable columns empty while it stands. */
export function demotedRulesCsv(figures: OversightFigures): string {
  return toCsv(
    DEMOTED_RULES_CSV_HEADER,
    figures.demotedRules.flatMap((c) =>
      c.rules.map((r) => [
        c.carrier,
        r.policy,
        r.reason,
        r.demotedAt.toISOString(),
        r.mistakes,
        r.actions,
        r.windowDays,
        r.reenabledAt?.toISOString() ?? '',
        r.reenabledBy ?? '',
        r.why ?? '',
      ]),
    ),
  );
}

/** `oversight-2024-02-01-2024-02-29.csv`. */
export function csvFileName(table: 'oversight' | 'quality' | 'demoted-rules', figures: OversightFigures): string {
  return `${table}-${figures.from}-${figures.to}.csv`;
}
