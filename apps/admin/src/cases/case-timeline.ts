import { Action } from '@app/domain';
import { ItemEffect, type TimelineItem } from './case-planner';

/** A carrier's decision on the number, as stored by the feed. */
export interface DecisionRow {
  carrier: string;
  decisionId: string;
  action: string;
  reasons: string[];
  score: number;
  policy: string;
  at: Date;
  summary: string;
}

/** A directive about the number, as the directives feature stores it. */
export interface DirectiveRow {
  id: string;
  kind: string;
  carrier: string;
  status: string;
  reason: string;
  issuedBy: string;
  issuedAt: Date;
  lastDeliveredAt: Date | null;
  acknowledgedAt: Date | null;
  ackDetail: string | null;
  expiresAt: Date;
}

/** A police verdict from the registry's change feed. */
export interface VerdictRow {
  version: number;
  status: 'CLEARED' | 'CONFIRMED';
  changedAt: Date;
}

const MAX_SUMMARY = 200;

/** `owner`: the number's owning carrier; only its SUSPEND decisions open a case. */
export function decisionItem(row: DecisionRow, owner: string | undefined): TimelineItem {
  const effect =
    row.action === Action.Suspend && row.carrier === owner
      ? ItemEffect.Suspend
      : row.action === Action.Restore
        ? ItemEffect.Restore
        : ItemEffect.None;
  const summary = row.summary
    ? ` — ${row.summary.length > MAX_SUMMARY ? `${row.summary.slice(0, MAX_SUMMARY - 1)}…` : row.summary}`
    : '';
  return {
    key: `decision:${row.carrier}:${row.decisionId}`,
    at: row.at,
    carrier: row.carrier,
    actor: `carrier:${row.carrier}`,
    what:
      `${row.action} by ${row.carrier}: ${row.reasons.join(', ')} ` +
      `(policy ${row.policy}, score ${row.score})${summary}`,
    effect,
  };
}

/** A directive's issue, first delivery and outcome, each as it happens. */
export function directiveItems(row: DirectiveRow): TimelineItem[] {
  const base = { carrier: row.carrier, effect: ItemEffect.None };
  const items: TimelineItem[] = [
    {
      ...base,
      key: `directive:${row.id}:issued`,
      at: row.issuedAt,
      actor: row.issuedBy,
      what: `${row.kind} directive ${row.id} issued to ${row.carrier}: ${row.reason}`,
    },
  ];
  if (row.lastDeliveredAt) {
    items.push({
      ...base,
      key: `directive:${row.id}:delivered`,
      at: row.lastDeliveredAt,
      actor: 'admin',
      what: `directive ${row.id} delivered to ${row.carrier}`,
    });
  }
  if ((row.status === 'APPLIED' || row.status === 'REJECTED') && row.acknowledgedAt) {
    const applied = row.status === 'APPLIED';
    items.push({
      carrier: row.carrier,
      key: `directive:${row.id}:outcome`,
      at: row.acknowledgedAt,
      actor: `carrier:${row.carrier}`,
      what:
        `${row.carrier} ${applied ? 'applied' : 'rejected'} ${row.kind} directive ${row.id}` +
        (row.ackDetail ? `: ${row.ackDetail}` : ''),
      // An applied SUSPEND directive is the owner's suspension, even before its decision arrives in the feed.
      effect: applied && row.kind === 'SUSPEND' ? ItemEffect.Suspend : ItemEffect.None,
    });
  }
  if (row.status === 'EXPIRED') {
    items.push({
      ...base,
      key: `directive:${row.id}:outcome`,
      at: row.expiresAt,
      actor: 'admin',
      what: `directive ${row.id} expired without an answer from ${row.carrier}`,
    });
  }
  return items;
}

export function verdictItem(row: VerdictRow, slaHours: number): TimelineItem {
  const cleared = row.status === 'CLEARED';
  return {
    key: `registry:${row.version}`,
    at: row.changedAt,
    carrier: '',
    actor: 'police',
    what: cleared
      ? `police cleared the number (registry version ${row.version}): to be restored within ${slaHours} h`
      : `police confirmed fraud (registry version ${row.version})`,
    effect: cleared ? ItemEffect.Clear : ItemEffect.None,
  };
}
