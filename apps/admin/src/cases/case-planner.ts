import { CaseStatus, type CaseEvent } from './case';

/** What an item of a number's history does to its case. */
export enum ItemEffect {
  /**
   * The owner suspended the number (a SUSPEND decision, or an applied SUSPEND
   * directive): opens a case when none is open.
   */
  Suspend = 'suspend',
  /** A RESTORE decision: resolves the case when it is the case owner's. */
  Restore = 'restore',
  /** Police cleared the number: starts the service-level clock. */
  Clear = 'clear',
  /** Part of the story only. */
  None = 'none',
}

/** One thing that happened to a number, from the feed, a directive or the registry: a case event to be. */
export interface TimelineItem extends CaseEvent {
  /** Unique over all sources; each item becomes at most one case event. */
  key: string;
  /** The carrier concerned (decisions, directives); '' for the registry. */
  carrier: string;
  effect: ItemEffect;
}

/** The number's unresolved case, as stored. */
export interface OpenCase {
  caseId: string;
  owner: string;
  openedAt: Date;
  dueAt: Date | null;
}

/** What to write for one case: a new one (no caseId) or the stored open one. */
export interface CasePlan {
  caseId?: string;
  owner: string;
  openedAt: Date;
  events: TimelineItem[];
  /** Set once: the first clearance while the case is open. */
  clock?: { clearedAt: Date; dueAt: Date };
  resolution?: { at: Date; status: CaseStatus.Resolved | CaseStatus.Escalated };
}

/**
 * A case's story starts this long before its suspension (reports, directives),
 * never before the previous case ended.
 */
export const LEAD_UP_DAYS = 30;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Replays the items of one number not yet recorded in any case, in event-time
 * order, against its stored state: the open case takes every item from its
 * lead-up on; a suspension with no open case opens one (after the last case
 * was resolved), taking the lead-up items before it; a clearance starts the
 * clock; the owner's restore resolves the case, RESOLVED when at or before the
 * due time (or with no clock), ESCALATED after it. Items that belong to no case
 * are left out (they are looked at again when the number changes).
 */
export function planCases(
  state: { open: OpenCase | null; lastResolvedAt: Date | null },
  items: readonly TimelineItem[],
  slaHours: number,
): CasePlan[] {
  const plans: CasePlan[] = [];
  let lastResolvedAt = state.lastResolvedAt;
  let current: CasePlan | null = state.open
    ? { caseId: state.open.caseId, owner: state.open.owner, openedAt: state.open.openedAt, events: [] }
    : null;
  let dueAt = state.open?.dueAt ?? null;
  let waiting: TimelineItem[] = [];
  const leadUpFrom = (openedAt: Date): number =>
    Math.max(lastResolvedAt?.getTime() ?? -Infinity, openedAt.getTime() - LEAD_UP_DAYS * DAY_MS);

  for (const item of [...items].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.key < b.key ? -1 : 1))) {
    if (!current) {
      if (item.effect !== ItemEffect.Suspend || (lastResolvedAt !== null && item.at <= lastResolvedAt)) {
        waiting.push(item);
        continue;
      }
      const from = leadUpFrom(item.at);
      current = { owner: item.carrier, openedAt: item.at, events: waiting.filter((w) => w.at.getTime() >= from) };
      dueAt = null;
      waiting = [];
    }
    if (item.at.getTime() < leadUpFrom(current.openedAt)) continue;
    current.events.push(item);
    if (item.effect === ItemEffect.Clear && dueAt === null && item.at >= current.openedAt) {
      dueAt = new Date(item.at.getTime() + slaHours * HOUR_MS);
      current.clock = { clearedAt: item.at, dueAt };
    }
    if (item.effect === ItemEffect.Restore && item.carrier === current.owner && item.at >= current.openedAt) {
      const late = dueAt !== null && item.at > dueAt;
      current.resolution = { at: item.at, status: late ? CaseStatus.Escalated : CaseStatus.Resolved };
      lastResolvedAt = item.at;
      plans.push(current);
      current = null;
    }
  }
  if (current && (current.caseId === undefined || current.events.length > 0)) plans.push(current);
  return plans;
}
