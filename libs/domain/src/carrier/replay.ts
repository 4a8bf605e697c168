import { ValidationError } from '../errors';
import { AnalysisEngine, type EngineOptions } from './engine';
import { parseEvent } from './event-parser';
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

/**
 * Runs the engine over event-file lines (JSON Lines ordered by `at`). Malformed
 * lines are reported with their number and skipped; out-of-order lines are still
 * applied and counted. Only the active policy's decisions are yielded.
 */
export function* replay(lines: Iterable<string>, options: EngineOptions, stats: ReplayStats): Generator<Decision> {
  const engine = new AnalysisEngine(options);
  let lastAt = Number.NEGATIVE_INFINITY;
  for (const text of lines) {
    stats.lines++;
    if (text.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      stats.rejected.push({ line: stats.lines, reason: `not JSON: ${(error as Error).message}` });
      continue;
    }
    let event;
    try {
      event = parseEvent(raw);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      stats.rejected.push({ line: stats.lines, field: error.field, reason: error.reason });
      continue;
    }
    stats.events++;
    if (event.at < lastAt && event.type !== 'subscriber') stats.outOfOrder++;
    else if (event.type !== 'subscriber') lastAt = event.at;
    for (const decision of engine.process(event).decisions) {
      if (decision.shadow) continue;
      stats.decisions++;
      stats.byAction[decision.action] = (stats.byAction[decision.action] ?? 0) + 1;
      yield decision;
    }
  }
}

export function emptyStats(): ReplayStats {
  return { lines: 0, events: 0, rejected: [], decisions: 0, byAction: {}, outOfOrder: 0 };
}
