import { ValidationError } from '../errors';
import { AnalysisEngine, type EngineOptions } from './engine';
import { decodeLine, scanEventLine } from './event-line';
import { parseEvent } from './event-parser';
import type { CarrierEvent } from './events';
import type { RuleDemotion } from './error-budget';
import type { Decision } from './ladder';

/** A line of the event file that could not be used, with why. */
export interface RejectedLine {
  line: number;
  field?: string;
  reason: string;
}

export interface ReplayStats {
  lines: number;
  events: number;
  rejected: RejectedLine[];
  decisions: number;
  byAction: Record<string, number>;
  outOfOrder: number;
  /** Reasons the active policy's error budget demoted (policy.errorBudget). */
  demotions: number;
}

const CST_OFFSET_MS = 8 * 3600_000;

/** RFC 3339 in China Standard Time, e.g. 2024-02-06T19:05:00+08:00 (the event files' form). */
export function formatChinaTime(ms: number): string {
  const local = new Date(ms + CST_OFFSET_MS).toISOString();
  const seconds = local.slice(0, 19);
  const fraction = local.slice(19, 23);
  return `${seconds}${fraction === '.000' ? '' : fraction}+08:00`;
}

/** A decision as replay prints it: one JSON line in the DESIGN.md §3 format. */
export function decisionLine(decision: Decision): string {
  return JSON.stringify({
    at: formatChinaTime(decision.at),
    msisdn: decision.msisdn,
    action: decision.action,
    reasons: decision.reasons,
    score: Math.round(decision.score * 100) / 100,
    policy: decision.policy,
  });
}

/** A demotion as replay prints it, on its own line among the decisions. */
export function demotionLine(demotion: RuleDemotion): string {
  return JSON.stringify({
    at: formatChinaTime(demotion.at),
    demoted: demotion.reason,
    policy: demotion.policy,
    mistakes: demotion.mistakes,
    actions: demotion.actions,
    windowDays: demotion.windowDays,
  });
}

/**
 * Runs the engine over event-file lines (JSON Lines ordered by `at`), one line
 * at a time, so a file of any size streams through. Malformed lines are
 * reported with their number and skipped; out-of-order lines are still applied
 * and counted. Only the active policy's decisions are returned.
 */
export class Replayer {
  readonly stats: ReplayStats = {
    lines: 0,
    events: 0,
    rejected: [],
    decisions: 0,
    byAction: {},
    outOfOrder: 0,
    demotions: 0,
  };
  /** The active policy's demotions the last line tripped (after its decisions). */
  demotions: RuleDemotion[] = [];
  private readonly engine: AnalysisEngine;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(options: EngineOptions) {
    this.engine = new AnalysisEngine(options);
  }

  /** One line of the event file as text. */
  feed(text: string): Decision[] {
    this.stats.lines++;
    if (this.demotions.length > 0) this.demotions = [];
    if (text.trim() === '') return [];
    const event = this.parse(text);
    return event === undefined ? [] : this.apply(event);
  }

  /**
   * One line of the event file as its UTF-8 bytes (from `start` to `end`, see
   * EventFileLines): what feed does with the line's text, without making the
   * text when the scanner reads the line (readEventLine).
   */
  feedLine(bytes: Uint8Array, start: number, end: number): Decision[] {
    const event = scanEventLine(bytes, start, end);
    if (event === undefined) return this.feed(decodeLine(bytes, start, end));
    this.stats.lines++;
    if (this.demotions.length > 0) this.demotions = [];
    return this.apply(event);
  }

  private apply(event: CarrierEvent): Decision[] {
    const stats = this.stats;
    stats.events++;
    if (event.type !== 'subscriber') {
      if (event.at < this.lastAt) stats.outOfOrder++;
      else this.lastAt = event.at;
    }
    const result = this.engine.process(event);
    const decisions = result.decisions.filter((d) => !d.shadow);
    if (result.demotions) {
      this.demotions = result.demotions.filter((d) => !d.shadow);
      stats.demotions += this.demotions.length;
    }
    for (const decision of decisions) {
      stats.decisions++;
      stats.byAction[decision.action] = (stats.byAction[decision.action] ?? 0) + 1;
    }
    return decisions;
  }

  /** The event on the line, or undefined with the line counted as rejected. */
  private parse(text: string): CarrierEvent | undefined {
    const stats = this.stats;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      stats.rejected.push({ line: stats.lines, reason: `not JSON: ${(error as Error).message}` });
      return undefined;
    }
    try {
      return parseEvent(raw);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      stats.rejected.push({ line: stats.lines, field: error.field, reason: error.reason });
      return undefined;
    }
  }
}

/** An event as one line of the event file format (times in China Standard Time). */
export function eventLine(event: CarrierEvent): string {
  const time = (ms: number | undefined) => (ms === undefined ? undefined : formatChinaTime(ms));
  switch (event.type) {
    case 'subscriber':
      return JSON.stringify({
        type: event.type,
        msisdn: national(event.msisdn),
        carrier: event.carrier,
        activatedAt: time(event.activatedAt),
        realNameVerified: event.realNameVerified,
        profile: event.profile,
      });
    case 'high_risk_cell':
      return JSON.stringify({
        type: event.type,
        cell: event.cell,
        at: time(event.at),
        until: time(event.until),
        removed: event.removed,
      });
    case 'call':
      return JSON.stringify({
        type: event.type,
        at: time(event.at),
        caller: national(event.caller),
        callee: national(event.callee),
        durationSec: event.durationSec,
        answered: event.answered,
        cell: event.cell,
      });
    case 'sms':
      return JSON.stringify({
        type: event.type,
        at: time(event.at),
        sender: national(event.sender),
        recipient: national(event.recipient),
        cell: event.cell,
      });
    case 'location':
      return JSON.stringify({ type: event.type, at: time(event.at), msisdn: national(event.msisdn), cell: event.cell });
    case 'report':
      return JSON.stringify({
        type: event.type,
        at: time(event.at),
        reporter: national(event.reporter),
        reported: national(event.reported),
        category: event.category,
      });
    case 'reactivation':
      return JSON.stringify({
        type: event.type,
        at: time(event.at),
        msisdn: national(event.msisdn),
        idVerified: event.idVerified,
      });
    case 'police_clear':
      return JSON.stringify({ type: event.type, at: time(event.at), msisdn: national(event.msisdn) });
  }
}

/** Chinese numbers in the national form carriers' files use; others stay E.164. */
function national(msisdn: string): string {
  return msisdn.startsWith('+86') ? msisdn.slice(3) : msisdn;
}
