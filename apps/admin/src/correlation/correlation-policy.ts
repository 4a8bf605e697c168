import { DirectiveKind } from '../directives/directive';
import { MAX_CELLS, type CellSighting, type StoredEvidence } from '../feed/evidence';
import type { InterNetworkReport } from '../feed/feed.repository';

/** Reports older than this no longer count: carriers report a number at most daily and forget after 30 days. */
export const REPORT_WINDOW_DAYS = 30;

export interface CorrelationPolicy {
  /** REPORT decisions on a number that make a REVIEW directive. */
  reviewAfterReports: number;
  /** Distinct reporting carriers that make it a SUSPEND directive. */
  suspendAfterCarriers: number;
}

export interface CorrelatedDirective {
  kind: DirectiveKind.Review | DirectiveKind.Suspend;
  reason: string;
  evidence: StoredEvidence;
}

/**
 * What the province directs the owner to do about its number, given the other
 * carriers' REPORT decisions on it. The owner's own reports do not count: a
 * carrier is never directed because of what it reported itself.
 */
export function correlateReports(
  owner: string,
  reports: readonly InterNetworkReport[],
  policy: CorrelationPolicy,
): CorrelatedDirective | undefined {
  const counted = reports.filter((r) => r.carrier !== owner);
  if (counted.length === 0 || counted.length < policy.reviewAfterReports) return undefined;
  const perCarrier = new Map<string, number>();
  for (const r of counted) perCarrier.set(r.carrier, (perCarrier.get(r.carrier) ?? 0) + 1);
  const kind = perCarrier.size >= policy.suspendAfterCarriers ? DirectiveKind.Suspend : DirectiveKind.Review;
  const carriers = [...perCarrier]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([carrier, count]) => `${carrier} ${count}`);
  const reason = `inter-network reports: ${carriers.join(', ')}`;
  return { kind, reason, evidence: mergeEvidence(counted, perCarrier.size, carriers, policy) };
}

function mergeEvidence(
  reports: readonly InterNetworkReport[],
  carrierCount: number,
  carriers: string[],
  policy: CorrelationPolicy,
): StoredEvidence {
  const starts = reports.map((r) => r.evidence.windowStart ?? r.at.toISOString()).sort();
  const ends = reports.map((r) => r.evidence.windowEnd ?? r.at.toISOString()).sort();
  return {
    summary:
      `${plural(reports.length, 'REPORT decision')} from ${plural(carrierCount, 'carrier')} ` +
      `(${carriers.join(', ')})`,
    windowStart: starts[0] ?? null,
    windowEnd: ends.at(-1) ?? null,
    measures: [
      { name: 'inter_network_reports', value: reports.length, threshold: policy.reviewAfterReports },
      { name: 'reporting_carriers', value: carrierCount, threshold: policy.suspendAfterCarriers },
    ],
    cells: mergeCells(reports.flatMap((r) => r.evidence.cells)),
  };
}

/** Each sighting once, oldest first; the newest MAX_CELLS when there are more. */
function mergeCells(sightings: CellSighting[]): CellSighting[] {
  const unique = new Map(sightings.map((s) => [`${s.cell}|${s.at ?? ''}|${s.activity}`, s]));
  const byTime = [...unique.values()].sort((a, b) => (a.at ?? '').localeCompare(b.at ?? ''));
  return byTime.slice(-MAX_CELLS);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
