import type { CarrierId } from '@app/domain';
import type { DailyCalleeWarningsPayload, DailyCountPayload } from './feed-item.mapper';

/** China Standard Time: UTC+8 all year (no daylight saving). */
const CST_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
/**
 * The daily run, in minutes after midnight CST: the day just ended is counted
 * once its late events (EVENT_LATENESS_SEC, 5 minutes by default) are in.
 */
export const DAILY_RUN_MINUTE_CST = 30;

/**
 * The feed key of one daily count. The admin keeps one count per (carrier, day,
 * policy, action, reason) and replaces it with each later one, but ignores a key
 * it has seen: so every recomputation that changes the figure needs a new key,
 * and one that does not should repeat the old key. The count itself is that
 * revision: decisions are never deleted, so a day's count only grows, and each
 * value is sent once (the outbox refuses a key twice) in the order computed.
 */
export function dailyCountKey(carrierId: CarrierId, c: Omit<DailyCountPayload, 'kind'>): string {
  return `${carrierId}-count-${c.day}-${c.policy}-${c.action}-${c.reason}-${c.count}`;
}

/** The feed key of one day's callee warnings under one policy: the same rule as dailyCountKey. */
export function dailyCalleeWarningsKey(carrierId: CarrierId, c: Omit<DailyCalleeWarningsPayload, 'kind'>): string {
  return `${carrierId}-callee-warnings-${c.day}-${c.policy}-${c.count}`;
}

/** The next daily run strictly after `nowMs` (ms since the epoch). */
export function nextDailyRun(nowMs: number): number {
  // Local (CST) time, shifted so that each day starts at the run time.
  const shift = CST_OFFSET_MS - DAILY_RUN_MINUTE_CST * 60_000;
  const runDay = Math.floor((nowMs + shift) / DAY_MS);
  return (runDay + 1) * DAY_MS - shift;
}
