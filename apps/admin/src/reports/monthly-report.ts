import { Action, ReasonCode, ValidationError, ValidationErrorCode } from '@app/domain';
import { cstDay, type DayRange } from '../oversight/day-range';
import {
  isMistaken,
  MISTAKE_WINDOW_DAYS,
  NO_REASON,
  oversightRows,
  percentile,
  restoreHours,
  type CalleeWarningCount,
  type DailyActionCount,
  type DemotedRule,
  type ReasonCount,
  type Suspension,
} from '../oversight/figures';

/**
 * The monthly public report (transparency report) as data: the figures of one
 * calendar month in China Standard Time, per carrier and reason, with no phone
 * number in it. Pure: the figures in, the report out (docs/monthly-report.md).
 */

const CST_OFFSET_MS = 8 * 3_600_000;
const MONTH = /^(\d{4})-(\d{2})$/;

/** A month's days and instants (00:00 +08:00 on its first day to 00:00 +08:00 on the next month's). */
export interface MonthRange extends DayRange {
  month: string;
}

/** `2026-11` -> its range; anything else is refused naming `field`. */
export function monthRange(input: string | undefined, field: string): MonthRange {
  const match = MONTH.exec(input ?? '');
  const year = Number(match?.[1]);
  const month = Number(match?.[2]);
  if (!match || month < 1 || month > 12 || year < 2000)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      input === undefined || input === ''
        ? 'is required: use YYYY-MM'
        : `"${input.slice(0, 16)}" is not a month: use YYYY-MM`,
    );
  const start = new Date(Date.UTC(year, month - 1, 1) - CST_OFFSET_MS);
  const end = new Date(Date.UTC(year, month, 1) - CST_OFFSET_MS);
  return { month: match[0], from: cstDay(start), to: cstDay(new Date(end.getTime() - 1)), start, end };
}

/** A month that has not begun has no figures: refused naming `field` (the current month is provisional). */
export function assertMonthBegun(range: MonthRange, now: Date, field: string): void {
  if (range.start > now)
    throw new ValidationError(
      ValidationErrorCode.OutOfRange,
      field,
      `${range.month} has not begun (today is ${cstDay(now)} in China Standard Time)`,
    );
}

/** The figures of a month as the oversight repository reads them (suspensions carry numbers: never copied out). */
export interface MonthlyFigures {
  /** Decisions per day, carrier and action, each once (a carrier's totals: a decision may cite several reasons). */
  actions: readonly DailyActionCount[];
  /** Counted actions per day, carrier, policy and reason, from the decisions fed. */
  counted: readonly ReasonCount[];
  /** The carriers' own daily counts (they replace the counted ones, as on the dashboard). */
  reported: readonly ReasonCount[];
  /** The month's suspensions with their first restore (at any later time). */
  suspensions: readonly Suspension[];
  /** Rules demoted at some time in the month (error budget per rule). */
  demotions: readonly (DemotedRule & { carrier: string })[];
  calleeWarnings: readonly CalleeWarningCount[];
}

export interface ReportContext {
  range: MonthRange;
  province: string;
  /** The carriers running in the province: each has a section, even without figures. */
  carriers: readonly string[];
  /** When the report is made: a month not over yet is provisional. */
  now: Date;
}

export interface ActionCounts {
  warnings: number;
  restrictions: number;
  suspensions: number;
  restorations: number;
}

/** A reason's line: the steps citing it; of the suspensions citing it, the mistaken ones and time to restore. */
export interface ReasonLine extends Omit<ActionCounts, 'restorations'> {
  reason: string;
  mistaken: number;
  /** mistaken / suspensions, null without suspensions. */
  mistakenKillRate: number | null;
  /** Of the suspensions citing it that were restored; null when none was. */
  restoreHoursP50: number | null;
  restoreHoursP90: number | null;
}

/** How long suspensions took to be restored; null hours when none of them was. */
export interface RestoreTimes {
  restored: number;
  stillSuspended: number;
  hoursP50: number | null;
  hoursP90: number | null;
}

export interface AppealFigures {
  /** Restores with APPEAL_UPHELD in the month (each is an appeal decided for the subscriber). */
  upheld: number;
  /** Of the month's suspensions, those an upheld appeal reversed within the mistake window. */
  upheldOfMonthSuspensions: number;
}

export interface DemotionLine {
  policy: string;
  reason: string;
  /** CST, `YYYY-MM-DD HH:mm`. */
  demotedAt: string;
  mistakes: number;
  actions: number;
  windowDays: number;
  /** CST, or null while the demotion stands. */
  reenabledAt: string | null;
}

export interface CarrierReport {
  carrier: string;
  actions: ActionCounts;
  /** Reasons cited by warnings, restrictions or suspensions, by reason code. */
  reasons: ReasonLine[];
  /** Restorations per restore reason (ID_VERIFIED, POLICE_CLEARED, APPEAL_UPHELD, …). */
  restoresByReason: { reason: string; count: number }[];
  mistaken: number;
  mistakenKillRate: number | null;
  restore: RestoreTimes;
  appeals: AppealFigures;
  calleeWarnings: number;
  demotions: DemotionLine[];
  /** Demotions standing at the end of the month (or now, for a provisional report). */
  demotionsInForce: number;
}

export interface MonthlyReport {
  month: string;
  from: string;
  to: string;
  province: string;
  /** The month has not ended: figures so far. */
  provisional: boolean;
  /** CST, `YYYY-MM-DD HH:mm`. */
  generatedAt: string;
  mistakeWindowDays: number;
  totals: Omit<CarrierReport, 'carrier' | 'reasons' | 'restoresByReason' | 'demotions' | 'restore'> & {
    restore: RestoreTimes;
    demotions: number;
  };
  carriers: CarrierReport[];
}

export function buildMonthlyReport(figures: MonthlyFigures, context: ReportContext): MonthlyReport {
  const { range } = context;
  const rows = oversightRows(figures.counted, figures.reported).filter((r) => r.day >= range.from && r.day <= range.to);
  const carriers = [
    ...new Set([
      ...context.carriers,
      ...rows.map((r) => r.carrier),
      ...figures.actions.map((a) => a.carrier),
      ...figures.suspensions.map((s) => s.carrier),
      ...figures.demotions.map((d) => d.carrier),
      ...figures.calleeWarnings.map((w) => w.carrier),
    ]),
  ].sort();
  const asOf = context.now < range.end ? context.now : range.end;

  const sections = carriers.map((carrier): CarrierReport => {
    const own = rows.filter((r) => r.carrier === carrier);
    const suspensions = figures.suspensions.filter((s) => s.carrier === carrier);
    const actions = decisionCounts(
      figures.actions.filter((a) => a.carrier === carrier && a.day >= range.from && a.day <= range.to),
    );
    const reasons = reasonLines(own, suspensions);
    const restoresByReason = tally(own.filter((r) => r.restorations > 0).map((r) => [r.reason, r.restorations]));
    const mistaken = suspensions.filter(isMistaken).length;
    const demotions = figures.demotions
      .filter((d) => d.carrier === carrier)
      .sort((a, b) => a.demotedAt.getTime() - b.demotedAt.getTime() || compare(a.reason, b.reason));
    return {
      carrier,
      actions,
      reasons,
      restoresByReason,
      mistaken,
      mistakenKillRate: rate(mistaken, suspensions.length),
      restore: restoreTimes(suspensions),
      appeals: {
        upheld: restoresByReason.find((r) => r.reason === ReasonCode.AppealUpheld)?.count ?? 0,
        upheldOfMonthSuspensions: suspensions.filter(
          (s) => isMistaken(s) && s.restore!.reasons.includes(ReasonCode.AppealUpheld),
        ).length,
      },
      calleeWarnings: figures.calleeWarnings
        .filter((w) => w.carrier === carrier && w.day >= range.from && w.day <= range.to)
        .reduce((sum, w) => sum + w.count, 0),
      demotions: demotions.map((d) => ({
        policy: d.policy,
        reason: d.reason,
        demotedAt: cstMinute(d.demotedAt),
        mistakes: d.mistakes,
        actions: d.actions,
        windowDays: d.windowDays,
        reenabledAt: d.reenabledAt && d.reenabledAt < asOf ? cstMinute(d.reenabledAt) : null,
      })),
      demotionsInForce: demotions.filter((d) => d.demotedAt < asOf && !(d.reenabledAt && d.reenabledAt < asOf)).length,
    };
  });

  const mistaken = sections.reduce((sum, c) => sum + c.mistaken, 0);
  return {
    month: range.month,
    from: range.from,
    to: range.to,
    province: context.province,
    provisional: context.now < range.end,
    generatedAt: cstMinute(context.now),
    mistakeWindowDays: MISTAKE_WINDOW_DAYS,
    totals: {
      actions: sumActions(sections.map((c) => c.actions)),
      mistaken,
      mistakenKillRate: rate(mistaken, figures.suspensions.length),
      restore: restoreTimes(figures.suspensions),
      appeals: {
        upheld: sections.reduce((sum, c) => sum + c.appeals.upheld, 0),
        upheldOfMonthSuspensions: sections.reduce((sum, c) => sum + c.appeals.upheldOfMonthSuspensions, 0),
      },
      calleeWarnings: sections.reduce((sum, c) => sum + c.calleeWarnings, 0),
      demotions: sections.reduce((sum, c) => sum + c.demotions.length, 0),
      demotionsInForce: sections.reduce((sum, c) => sum + c.demotionsInForce, 0),
    },
    carriers: sections,
  };
}

/** The reasons for acting (restorations are listed by their own reason, in restoresByReason). */
function reasonLines(
  rows: readonly (ActionCounts & { reason: string })[],
  suspensions: readonly Suspension[],
): ReasonLine[] {
  const lines = new Map<string, ReasonLine>();
  for (const row of rows) {
    // A reason cited by restorations only (POLICE_CLEARED, DIRECTIVE, …) is in restoresByReason.
    if (row.warnings + row.restrictions + row.suspensions === 0) continue;
    const line = lines.get(row.reason) ?? {
      reason: row.reason,
      warnings: 0,
      restrictions: 0,
      suspensions: 0,
      mistaken: 0,
      mistakenKillRate: null,
      restoreHoursP50: null,
      restoreHoursP90: null,
    };
    line.warnings += row.warnings;
    line.restrictions += row.restrictions;
    line.suspensions += row.suspensions;
    lines.set(row.reason, line);
  }
  for (const line of lines.values()) {
    const cited = suspensions.filter((s) => reasonsOf(s).includes(line.reason));
    line.mistaken = cited.filter(isMistaken).length;
    line.mistakenKillRate = rate(line.mistaken, cited.length);
    const { hoursP50, hoursP90 } = restoreTimes(cited);
    line.restoreHoursP50 = hoursP50;
    line.restoreHoursP90 = hoursP90;
  }
  return [...lines.values()].sort((a, b) => compare(a.reason, b.reason));
}

const ACTION_COLUMN: Partial<Record<Action, keyof ActionCounts>> = {
  [Action.Warn]: 'warnings',
  [Action.Restrict]: 'restrictions',
  [Action.Suspend]: 'suspensions',
  [Action.Restore]: 'restorations',
};

function decisionCounts(counts: readonly DailyActionCount[]): ActionCounts {
  const sum = { warnings: 0, restrictions: 0, suspensions: 0, restorations: 0 };
  for (const c of counts) {
    const column = ACTION_COLUMN[c.action];
    if (column) sum[column] += c.count;
  }
  return sum;
}

function restoreTimes(suspensions: readonly Suspension[]): RestoreTimes {
  const hours = suspensions.map(restoreHours).filter((h): h is number => h !== undefined);
  return {
    restored: hours.length,
    stillSuspended: suspensions.length - hours.length,
    hoursP50: hours.length === 0 ? null : round1(percentile(hours, 50)),
    hoursP90: hours.length === 0 ? null : round1(percentile(hours, 90)),
  };
}

function sumActions(rows: readonly ActionCounts[]): ActionCounts {
  const sum = { warnings: 0, restrictions: 0, suspensions: 0, restorations: 0 };
  for (const r of rows) {
    sum.warnings += r.warnings;
    sum.restrictions += r.restrictions;
    sum.suspensions += r.suspensions;
    sum.restorations += r.restorations;
  }
  return sum;
}

function tally(entries: readonly [string, number][]): { reason: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const [reason, count] of entries) counts.set(reason, (counts.get(reason) ?? 0) + count);
  return [...counts].map(([reason, count]) => ({ reason, count })).sort((a, b) => compare(a.reason, b.reason));
}

function reasonsOf(s: Suspension): readonly string[] {
  return s.reasons.length === 0 ? [NO_REASON] : s.reasons;
}

function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** `YYYY-MM-DD HH:mm` in China Standard Time. */
export function cstMinute(at: Date): string {
  return new Date(at.getTime() + CST_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
