import { common, numberStatus, registry, toTimestamp } from '@app/contracts';
import {
  Action,
  normaliseMsisdn,
  UsageProfile,
  type CarrierEvent,
  type EngineResult,
  type Msisdn,
  type RegistryMark,
} from '@app/domain';
import { rowsOf } from '@app/testing';
import { AnalysisService } from '../src/analysis/analysis.service';
import { RegistryFollower } from '../src/registry-link/registry-follower.service';
import { carrierIdOf, ingest, toWire, type CarrierClient, type CarrierHarness } from './carrier-harness';

/** Helpers for the call-setup, profile and re-activation tests: the carrier's database, directory and engine. */

export function query(
  harness: CarrierHarness,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  return rowsOf(harness.db.url, sql, params);
}

/** Makes numbers subscribers of the harness's carrier (through IngestEvents, as the customer system would). */
export async function subscribe(
  harness: CarrierHarness,
  client: CarrierClient,
  nationals: string[],
  profile = UsageProfile.None,
): Promise<Msisdn[]> {
  const activatedAt = Date.parse('2020-01-01T00:00:00+08:00');
  const events: CarrierEvent[] = nationals.map((national) => ({
    type: 'subscriber',
    at: activatedAt,
    msisdn: normaliseMsisdn(national, 'test'),
    carrier: carrierIdOf(harness),
    activatedAt,
    realNameVerified: true,
    profile,
  }));
  const response = await ingest(client, toWire(events));
  if (response.accepted !== events.length)
    throw new Error(`subscriber records refused: ${JSON.stringify(response.rejections)}`);
  return events.map((e) => (e as { msisdn: Msisdn }).msisdn);
}

/** Runs an engine step in the booted carrier, recorded as the service records its own. */
export function applyStep(
  harness: CarrierHarness,
  step: Parameters<AnalysisService['apply']>[0],
): Promise<EngineResult> {
  return harness.app.get(AnalysisService).apply(step);
}

/**
 * The high-risk cells among fixture events, put in force as the administration's list would be (the list does not
 * travel on IngestEvents).
 */
export async function useHighRiskCells(harness: CarrierHarness, events: readonly CarrierEvent[]): Promise<void> {
  await harness.app.get(AnalysisService).apply({
    kind: 'setHighRiskCells',
    cells: events.flatMap((e) =>
      e.type === 'high_risk_cell' ? [{ cell: e.cell, from: e.at, until: e.until ?? Number.POSITIVE_INFINITY }] : [],
    ),
  });
}

/** A suspension as the administration's directive would impose it, now. */
export function suspend(harness: CarrierHarness, msisdn: Msisdn): Promise<EngineResult> {
  return applyStep(harness, { kind: 'directive', msisdn, action: Action.Suspend, atMs: Date.now() });
}

export function levelOf(harness: CarrierHarness, msisdn: Msisdn): Action {
  return harness.app.get(AnalysisService).state.levelOf(msisdn, Date.now());
}

let registryVersion = 0;

/**
 * A registry status change as its change feed delivers it (no registry needed):
 * the engine acts on it and the local copy is stored, so a restart knows it too.
 */
export function registryChange(harness: CarrierHarness, msisdn: Msisdn, status: RegistryMark): Promise<void> {
  const change: registry.StatusChange = {
    version: ++registryVersion,
    msisdn,
    status: numberStatus.toWire(status),
    previousStatus: common.NumberStatus.NUMBER_STATUS_UNSPECIFIED,
    cause: registry.ChangeCause.CHANGE_CAUSE_VERIFICATION,
    changedAt: toTimestamp(new Date()),
  };
  return harness.app.get(RegistryFollower).apply([change]);
}

/**
 * Makes `default@2` (no terms) the active policy. For suites whose fixtures are dated 2024 and that read the step
 * on the wall clock: under `default@3` a restriction from 2024 lapsed long ago (terms.e2e-spec covers terms).
 */
export async function activateTermlessDefault(client: CarrierClient): Promise<void> {
  await client.setPolicy({
    policy: 'default@2',
    mode: 'POLICY_MODE_ACTIVE' as never,
    reason: 'fixtures dated 2024: their restrictions would have lapsed under default@3',
  });
}
