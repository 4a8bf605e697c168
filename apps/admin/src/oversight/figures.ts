import { Action, ReasonCode, type DemotionRecord } from '@app/domain';

/**
 * The arithmetic of the oversight figures, free of I/O (docs/api/admin.md "Oversight
 * figures" states the same definitions for operators).
 */

/** The four steps the per-reason table counts. */
export type CountedAction = Action.Warn | Action.Restrict | Action.Suspend | Action.Restore;
export const COUNTED_ACTIONS: readonly CountedAction[] = [Action.Warn, Action.Restrict, Action.Suspend, Action.Restore];

/** A decision without reason codes is counted under this reason. */
export const NO_REASON = 'NONE';

/** How many decisions of one action one carrier took on one day under one policy for one reason. */
export interface ReasonCount {
  day: string;
  carrier: string;
  policy: string;
  reason: string;
  action: CountedAction;
  count: number;
}

export interface OversightRow {
  day: string;
  carrier: string;
  policy: string;
  reason: string;
  warnings: number;
  restrictions: number;
  suspensions: number;
  restorations: number;
}

const COLUMN: Record<CountedAction, 'warnings' | 'restrictions' | 'suspensions' | 'restorations'> = {
  [Action.Warn]: 'warnings',
  [Action.Restrict]: 'restrictions',
  [Action.Suspend]: 'suspensions',
  [Action.Restore]: 'restorations',
};

/**
 * The per-reason table: counts from the decisions received, where a carrier's
 * own daily count for the same day, policy, action and reason replaces the
 * counted one (the carrier's total also covers decisions never fed one by one).
 * Rows ordered by day, carrier, policy, reason.
 */
export function oversightRows(counted: readonly ReasonCount[], reported: readonly ReasonCount[]): OversightRow[] {
  const cells = new Map<string, ReasonCount>();
  const cellKey = (c: ReasonCount) => [c.day, c.carrier, c.policy, c.reason, c.action].join('\u0000');
  for (const c of counted) cells.set(cellKey(c), c);
  for (const c of reported) cells.set(cellKey(c), c);

  const rows = new Map<string, OversightRow>();
  for (const c of cells.values()) {
    const key = [c.day, c.carrier, c.policy, c.reason].join('\u0000');
    let row = rows.get(key);
    if (!row) {
      row = {
        day: c.day,
        carrier: c.carrier,
        policy: c.policy,
        reason: c.reason,
        warnings: 0,
        restrictions: 0,
        suspensions: 0,
        restorations: 0,
      };
      rows.set(key, row);
    }
    row[COLUMN[c.action]] = c.count;
  }
  return [...rows.values()].sort(
    (a, b) =>
      compare(a.day, b.day) ||
      compare(a.carrier, b.carrier) ||
      compare(a.policy, b.policy) ||
      compare(a.reason, b.reason),
  );
}

/** One carrier's callee warnings (calleeProtection SMS) of one day under one policy, as it counted them. */
export interface CalleeWarningCount {
  day: string;
  carrier: string;
  policy: string;
  count: number;
}

/** A SUSPEND decision, with the first RESTORE of the same number by the same carrier after it, if any. */
export interface Suspension {
  carrier: string;
  msisdn: string;
  reasons: readonly string[];
  at: Date;
  restore?: { at: Date; reasons: readonly string[] };
}

/** Restores that say the suspension was wrong: police or the registry cleared the number, or an appeal was upheld. */
export const MISTAKE_REASONS: readonly string[] = [
  ReasonCode.PoliceCleared,
  ReasonCode.RegistryCleared,
  ReasonCode.AppealUpheld,
];
export const MISTAKE_WINDOW_DAYS = 30;
const HOUR_MS = 3_600_000;

/** Reversed by a clearance or an upheld appeal within MISTAKE_WINDOW_DAYS days (inclusive). */
export function isMistaken(suspension: Suspension): boolean {
  const restore = suspension.restore;
  if (!restore || !restore.reasons.some((r) => MISTAKE_REASONS.includes(r))) return false;
  return restore.at.getTime() - suspension.at.getTime() <= MISTAKE_WINDOW_DAYS * 24 * HOUR_MS;
}

/** Hours from suspension to restore, whatever the restore's reason; undefined while suspended. */
export function restoreHours(suspension: Suspension): number | undefined {
  return suspension.restore ? (suspension.restore.at.getTime() - suspension.at.getTime()) / HOUR_MS : undefined;
}

/**
 * Nearest-rank percentile: the smallest value with at least p % of the values
 * at or below it (so always one of the values); 0 for none.
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(Math.ceil((p / 100) * sorted.length), 1) - 1]!;
}

export interface QualityFigures {
  suspensions: number;
  mistaken: number;
  /** mistaken / suspensions; 0 when there were none. */
  mistakenKillRate: number;
  /** Of the suspensions, those restored so far: the hours to restore are over these (0 h when none). */
  restored: number;
  /** Over the suspensions restored so far, rounded to 0.01 h. */
  restoreHoursP50: number;
  restoreHoursP90: number;
}

export interface CarrierQuality extends QualityFigures {
  carrier: string;
  /** The same figures per reason of the suspension (a suspension with several reasons counts under each). */
  byReason: (QualityFigures & { reason: string })[];
}

export function qualityFigures(suspensions: readonly Suspension[]): QualityFigures {
  const mistaken = suspensions.filter(isMistaken).length;
  const hours = suspensions.map(restoreHours).filter((h): h is number => h !== undefined);
  return {
    suspensions: suspensions.length,
    mistaken,
    mistakenKillRate: suspensions.length === 0 ? 0 : mistaken / suspensions.length,
    restored: hours.length,
    restoreHoursP50: round2(percentile(hours, 50)),
    restoreHoursP90: round2(percentile(hours, 90)),
  };
}

/** Each carrier's figures (every suspension once) and per reason, ordered by carrier and reason. */
export function carrierQuality(suspensions: readonly Suspension[]): CarrierQuality[] {
  return [...groupBy(suspensions, (s) => [s.carrier])]
    .sort(([a], [b]) => compare(a, b))
    .map(([carrier, own]) => ({
      carrier,
      ...qualityFigures(own),
      byReason: [...groupBy(own, reasonsOf)]
        .sort(([a], [b]) => compare(a, b))
        .map(([reason, group]) => ({ reason, ...qualityFigures(group) })),
    }));
}

/** What the charts draw: per carrier, one value per day of the range. */
export interface CarrierSeries {
  /** RESTRICT, SUSPEND and REPORT decisions. */
  flags: number[];
  warnings: number[];
  restrictions: number[];
  suspensions: number[];
  restorations: number[];
  /** Of the day's suspensions, the share later found mistaken; null on a day without suspensions. */
  mistakenKillRate: (number | null)[];
  /** Callees warned by SMS (calleeProtection), every policy. */
  calleeWarnings: number[];
}

/** Decisions per day, carrier and action, each decision once. */
export interface DailyActionCount {
  day: string;
  carrier: string;
  action: Action;
  count: number;
}

export function carrierSeries(
  days: readonly string[],
  carriers: readonly string[],
  counts: readonly DailyActionCount[],
  suspensions: readonly Suspension[],
  dayOf: (at: Date) => string,
  calleeWarnings: readonly CalleeWarningCount[] = [],
): Record<string, CarrierSeries> {
  const index = new Map(days.map((day, i) => [day, i]));
  const zeros = () => days.map(() => 0);
  const result: Record<string, CarrierSeries> = {};
  for (const carrier of carriers) {
    result[carrier] = {
      flags: zeros(),
      warnings: zeros(),
      restrictions: zeros(),
      suspensions: zeros(),
      restorations: zeros(),
      mistakenKillRate: days.map(() => null),
      calleeWarnings: zeros(),
    };
  }
  for (const w of calleeWarnings) {
    const i = index.get(w.day);
    if (result[w.carrier] && i !== undefined) result[w.carrier].calleeWarnings[i]! += w.count;
  }
  for (const c of counts) {
    const series = result[c.carrier];
    const i = index.get(c.day);
    if (!series || i === undefined) continue;
    if (c.action === Action.Restrict || c.action === Action.Suspend || c.action === Action.Report)
      series.flags[i]! += c.count;
    if ((COUNTED_ACTIONS as readonly Action[]).includes(c.action))
      series[COLUMN[c.action as CountedAction]][i]! += c.count;
  }
  for (const [key, group] of groupBy(suspensions, (s) => [`${s.carrier}\u0000${dayOf(s.at)}`])) {
    const [carrier, day] = key.split('\u0000') as [string, string];
    const i = index.get(day);
    if (result[carrier] && i !== undefined)
      result[carrier].mistakenKillRate[i] = qualityFigures(group).mistakenKillRate;
  }
  return result;
}

/** A reason a carrier's active policy demoted (error budget per rule), with its re-enable if it came. */
export type DemotedRule = DemotionRecord;

/** One carrier's line of demoted rules: those demoted at some time in the range, and how many still are. */
export interface CarrierDemotions {
  carrier: string;
  /** Demoted and not re-enabled (to this day). */
  inForce: number;
  /** Oldest first. */
  rules: DemotedRule[];
}

/** The demoted rules per carrier, carriers in order, each carrier's oldest demotion first. */
export function demotedRules(rules: readonly (DemotedRule & { carrier: string })[]): CarrierDemotions[] {
  return [...groupBy(rules, (r) => [r.carrier])]
    .sort(([a], [b]) => compare(a, b))
    .map(([carrier, own]) => ({
      carrier,
      inForce: own.filter((r) => r.reenabledAt === null).length,
      rules: own
        .map(({ carrier: _carrier, ...rule }) => rule)
        .sort((a, b) => a.demotedAt.getTime() - b.demotedAt.getTime() || compare(a.reason, b.reason)),
    }));
}

function reasonsOf(s: Suspension): string[] {
  return s.reasons.length === 0 ? [NO_REASON] : [...new Set(s.reasons)];
}

function groupBy<T>(items: readonly T[], keys: (item: T) => string[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    for (const key of keys(item)) {
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
  }
  return groups;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
