import type { carrier } from '@app/contracts';
import type { CarrierEvent, Msisdn } from '@app/domain';
import { rowsOf } from '@app/testing';
import { population } from '../../../libs/domain/src/carrier/fixtures';
import { ingest, toWire, type CarrierClient } from './carrier-harness';

/**
 * One event file for the durability tests: a small province (honest people,
 * heavy callers, fraud of every kind, false reporters) over two days, as
 * IngestEvents streams of five batches of 100, with ids.
 */
export function evidenceFile(tag: string): { streams: carrier.Event[][][]; events: CarrierEvent[]; fraud: Msisdn[] } {
  const pop = population({ subscribers: 200, days: 2, heavyPerMille: 20, fraudPerMille: 20, seed: 5, extras: true });
  // The high-risk cell list comes from the administration, not IngestEvents.
  const events = pop.events.filter((e) => e.type !== 'high_risk_cell');
  const batches = toWire(events, 100, tag);
  const streams: carrier.Event[][][] = [];
  for (let i = 0; i < batches.length; i += 5) streams.push(batches.slice(i, i + 5));
  return { streams, events, fraud: [...pop.fraud] };
}

/** Sends streams one after the other; each answered before the next starts. */
export async function send(client: CarrierClient, streams: carrier.Event[][][]): Promise<void> {
  for (const stream of streams) await ingest(client, stream);
}

/** Every decision a carrier stored, in a form two runs can be compared by (ids are derived from the content). */
export function storedDecisions(url: string): Promise<Record<string, unknown>[]> {
  return rowsOf(
    url,
    `SELECT id, msisdn, at, action, previous, reasons, score, policy, shadow, evidence, term
     FROM decision ORDER BY id`,
  );
}

/** The callee warnings and notices stored, for the same comparison. */
export async function storedWarningsAndNotices(url: string): Promise<Record<string, unknown>[]> {
  return rowsOf(
    url,
    `SELECT 'warning' AS kind, id, callee AS msisdn, at FROM callee_warning
     UNION ALL SELECT 'notice', coalesce(decision_id, callee_warning_id), msisdn, at FROM notice
     ORDER BY kind, id`,
  );
}
