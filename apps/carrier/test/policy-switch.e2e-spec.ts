import type { carrier } from '@app/contracts';
import type { CarrierEvent } from '@app/domain';
import { courier, sequentialDialler } from '../../../libs/domain/src/carrier/fixtures';
import { CarrierHarness, ingest, toWire, type CarrierClient } from './carrier-harness';
import { rowsOf } from '@app/testing';

/** Fixture events this carrier can ingest (the high-risk list comes from the administration). */
const ingestible = (events: CarrierEvent[]) => events.filter((e) => e.type !== 'high_risk_cell');

async function decisionsOf(client: CarrierClient, msisdn: string, includeShadow: boolean): Promise<carrier.Decision[]> {
  return (await client.listDecisions({ msisdn, includeShadow, page: { pageSize: 500 } })).decisions;
}

const step = (d: carrier.Decision) => [d.action, d.previous, d.policy, d.shadow];

describe('switching the policy at run time (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let ops: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    ops = carrier.client('carrier:CTCC', 'ops-li');
  });
  afterAll(() => carrier.close());

  it('decides with the new policy from the switch on, and every number keeps the step it had reached', async () => {
    const dialler = sequentialDialler();
    const events = ingestible(dialler.events);
    const calls = events.filter((e) => e.type === 'call' && e.caller === dialler.subject);
    const cut = events.indexOf(calls[10]);

    await ingest(ops, toWire(events.slice(0, cut), 200, 'dialler-a'));
    expect((await decisionsOf(ops, dialler.subject, false)).map(step)).toEqual([
      ['ACTION_WARN', 'ACTION_MONITOR', 'default@5', false],
      ['ACTION_MONITOR', 'ACTION_NONE', 'default@5', false],
    ]);

    await expect(
      ops.setPolicy({
        policy: 'naive@1',
        mode: 'POLICY_MODE_ACTIVE' as never,
        reason: 'pilot of today’s rules in one region',
      }),
    ).resolves.toEqual({
      active: 'naive@1',
      shadow: '',
    });
    const rest = await ingest(ops, toWire(events.slice(cut), 200, 'dialler-b'));
    expect(rest.decisions).toBeGreaterThan(0);

    // naive alone would start from NONE (a MONITOR for the new segment first); here it goes on from WARN.
    expect((await decisionsOf(ops, dialler.subject, false)).map(step)).toEqual([
      ['ACTION_SUSPEND', 'ACTION_WARN', 'naive@1', false],
      ['ACTION_WARN', 'ACTION_MONITOR', 'default@5', false],
      ['ACTION_MONITOR', 'ACTION_NONE', 'default@5', false],
    ]);
    const [assignment] = await rowsOf(
      carrier.db.url,
      `SELECT mode, name, version, reason, changed_by FROM policy_assignment ORDER BY id DESC LIMIT 1`,
    );
    expect(assignment).toEqual({
      mode: 'ACTIVE',
      name: 'naive',
      version: 1,
      reason: 'pilot of today’s rules in one region',
      changed_by: 'ops-li',
    });
  });

  it('keeps the switch across a restart', async () => {
    await carrier.stop();
    await carrier.boot();
    ops = carrier.client('carrier:CTCC', 'ops-li');
    expect(await ops.listPolicies({})).toMatchObject({ active: 'naive@1', shadow: '' });
    const explained = await carrier
      .client('police')
      .explainNumber({ msisdn: sequentialDialler().subject, purpose: 'restart check' });
    expect(explained.state).toBe('ACTION_SUSPEND');
  });
});

describe('a shadow policy beside the active one (carrier over gRPC)', () => {
  let carrier: CarrierHarness;
  let ops: CarrierClient;

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    ops = carrier.client('carrier:CTCC', 'ops-li');
  });
  afterAll(() => carrier.close());

  it('records naive’s would-be courier suspension; default takes no restricting action, none enforced', async () => {
    await ops.setPolicy({
      policy: 'naive@1',
      mode: 'POLICY_MODE_SHADOW' as never,
      reason: 'count naive’s mistaken kills',
    });
    const fan = courier();
    const response = await ingest(ops, toWire(ingestible(fan.events), 200, 'courier'));
    expect(response).toMatchObject({ rejected: 0, decisions: 0 });

    const all = await decisionsOf(ops, fan.subject, true);
    expect(all.filter((d) => d.shadow).map(step)).toEqual([
      ['ACTION_SUSPEND', 'ACTION_MONITOR', 'naive@1', true],
      ['ACTION_MONITOR', 'ACTION_NONE', 'naive@1', true],
    ]);
    expect(all[0].reasons.map((r) => r.code)).toEqual(['CALL_BURST', 'NEW_SEGMENT']);
    expect(all.filter((d) => !d.shadow).every((d) => !['ACTION_RESTRICT', 'ACTION_SUSPEND'].includes(d.action))).toBe(
      true,
    );
    expect(await decisionsOf(ops, fan.subject, false)).toEqual(all.filter((d) => !d.shadow));

    // Never enforced: no notice, nothing for the registry or the administration,
    // and the number stands where default put it.
    const notices = await ops.listNotices({ msisdn: fan.subject });
    expect(notices.notices).toEqual([]);
    expect(await rowsOf(carrier.db.url, `SELECT id FROM outbox WHERE msisdn = $1`, [fan.subject])).toEqual([]);
    const explained = await ops.explainNumber({ msisdn: fan.subject, purpose: 'shadow check' });
    expect(explained).toMatchObject({ state: 'ACTION_NONE', decisions: all.filter((d) => !d.shadow) });
  });
});
