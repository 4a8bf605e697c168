import type { CarrierEvent } from '@app/domain';
import { aFlag } from '../../registry/test/registry-harness';
import { newNumberBurst, wangiri } from '../../../libs/domain/src/carrier/fixtures';
import { RegistryConnection } from '../src/registry-link/registry-connection';
import { ingest, toWire } from './carrier-harness';
import { activateTermlessDefault } from './ladder-helpers';
import { eventually, query, startLinked, type LinkedServices } from './linked-services';

interface DecisionRow {
  action: string;
  previous: string;
  reasons: string[];
}

/** The carrier's change-feed follower against a real registry: police verification reaches the subscriber. */
describe('carrier ← registry: the change-feed follower', () => {
  let linked: LinkedServices;
  const burst = newNumberBurst();
  const oneRing = wangiri();
  let police: ReturnType<LinkedServices['registry']['client']>;

  const carrierDb = () => linked.carrier.db.url;
  const decisionsOf = (msisdn: string) =>
    query<DecisionRow>(
      carrierDb(),
      `SELECT action, previous, reasons FROM decision WHERE msisdn = $1 AND NOT shadow ORDER BY at, recorded_at`,
      [msisdn],
    );
  const copyOf = async (msisdn: string) =>
    (
      await query<{ status: string; version: string }>(
        carrierDb(),
        `SELECT status, version FROM registry_status WHERE msisdn = $1`,
        [msisdn],
      )
    ).map((r) => ({ status: r.status, version: Number(r.version) }))[0];
  const cursor = async () =>
    Number((await query<{ version: string }>(carrierDb(), `SELECT version FROM registry_cursor`))[0].version);
  const registryHead = async () =>
    Number(
      (
        await query<{ v: string }>(linked.registry.db.url, `SELECT coalesce(max(version), 0) AS v FROM status_change`)
      )[0].v,
    );
  /** The carrier ingests these; the high-risk cell list comes from the administration. */
  const ingestible = (events: CarrierEvent[]) => events.filter((e) => e.type !== 'high_risk_cell');

  beforeAll(async () => {
    linked = await startLinked('CTCC');
    police = linked.registry.client('police', 'officer-7');
    // In event-time order: the one-ring caller works the evening before the burst.
    const client = linked.carrier.client();
    await activateTermlessDefault(client);
    await ingest(client, toWire(ingestible(oneRing.events), 200, 'one-ring'));
    await ingest(client, toWire(ingestible(burst.events), 200, 'burst'));
    // Restricted here, flagged to the registry, and listed in the carrier's copy through the feed.
    for (const subject of [burst.subject, oneRing.subject]) {
      expect((await decisionsOf(subject)).map((d) => d.action)).toContain('RESTRICT');
      await eventually(
        () => copyOf(subject),
        (copy) => copy?.status === 'SUSPECTED',
      );
    }
  });
  afterAll(() => linked.close());

  it('restores a restricted number once the police clear it in the registry', async () => {
    const cleared = await police.verifyNumber({
      idempotencyKey: 'clear-burst',
      msisdn: burst.subject,
      outcome: 'VERIFICATION_OUTCOME_CLEARED' as never,
      caseId: 'CD-2024-0301',
    });
    const started = Date.now();
    const decisions = await eventually(
      () => decisionsOf(burst.subject),
      (rows) => rows.some((d) => d.action === 'RESTORE'),
      5_000,
    );
    const elapsedMs = Date.now() - started;
    expect(decisions.filter((d) => d.action === 'RESTORE')).toEqual([
      { action: 'RESTORE', previous: 'RESTRICT', reasons: ['REGISTRY_CLEARED'] },
    ]);
    expect(await copyOf(burst.subject)).toEqual({ status: 'CLEARED', version: cleared.version });
    console.log(`police clearance to RESTORE at the carrier: ${elapsedMs} ms`);
  });

  it('suspends a number the police confirm as fraud', async () => {
    const confirmed = await police.verifyNumber({
      idempotencyKey: 'confirm-one-ring',
      msisdn: oneRing.subject,
      outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
      caseId: 'CD-2024-0302',
    });
    const decisions = await eventually(
      () => decisionsOf(oneRing.subject),
      (rows) => rows.some((d) => d.action === 'SUSPEND'),
      5_000,
    );
    expect(decisions.filter((d) => d.action === 'SUSPEND')).toEqual([
      { action: 'SUSPEND', previous: 'RESTRICT', reasons: ['REGISTRY_CONFIRMED'] },
    ]);
    expect(await copyOf(oneRing.subject)).toEqual({ status: 'CONFIRMED', version: confirmed.version });
  });

  it('resumes from its cursor after a restart: changes meanwhile arrive once, older ones decide nothing', async () => {
    const headBefore = await registryHead();
    const stored = await eventually(cursor, (version) => version === headBefore);
    const decisionsBefore = Number(
      (await query<{ n: string }>(carrierDb(), `SELECT count(*) AS n FROM decision`))[0].n,
    );
    await linked.carrier.stop();

    // While the carrier is down: the police reverse the clearance, and another carrier flags a number.
    const confirmed = await police.verifyNumber({
      idempotencyKey: 'confirm-burst',
      msisdn: burst.subject,
      outcome: 'VERIFICATION_OUTCOME_CONFIRMED' as never,
      caseId: 'CD-2024-0303',
    });
    const foreign = '+8613512340001';
    const { results } = await linked.registry
      .client('carrier:CMCC')
      .submitFlags({ flags: [aFlag(foreign, { source: 'carrier:CMCC' })] });

    const watch = jest.spyOn(RegistryConnection.prototype, 'watchChanges');
    await linked.carrier.boot();
    const head = await registryHead();
    expect(head).toBe(results[0].version);
    await eventually(cursor, (version) => version === head);
    expect(watch.mock.calls[0]).toEqual([stored]);
    watch.mockRestore();

    // Exactly one new decision: the suspension the confirmation calls for (nothing replayed from before the restart).
    const decisions = await decisionsOf(burst.subject);
    expect(decisions.map((d) => d.action)).toEqual(['MONITOR', 'WARN', 'RESTRICT', 'RESTORE', 'SUSPEND']);
    expect(decisions.at(-1)).toEqual({ action: 'SUSPEND', previous: 'NONE', reasons: ['REGISTRY_CONFIRMED'] });
    expect(Number((await query<{ n: string }>(carrierDb(), `SELECT count(*) AS n FROM decision`))[0].n)).toBe(
      decisionsBefore + 1,
    );

    // The local copy matches the registry, number by number.
    expect(await copyOf(burst.subject)).toEqual({ status: 'CONFIRMED', version: confirmed.version });
    expect(await copyOf(foreign)).toEqual({ status: 'SUSPECTED', version: results[0].version });
    const copy = await query<{ msisdn: string; status: string; version: string }>(
      carrierDb(),
      `SELECT msisdn, status, version FROM registry_status ORDER BY msisdn`,
    );
    const registry = await linked.registry.client('carrier:CTCC').checkNumbers({ msisdns: copy.map((r) => r.msisdn) });
    expect(
      copy.map((r) => ({ msisdn: r.msisdn, status: `NUMBER_STATUS_${r.status}`, version: Number(r.version) })),
    ).toEqual(registry.results);
  });
});
