import type { CarrierHarness } from './carrier-harness';
import { ingest, toWire } from './carrier-harness';
import { eventually, startProvince, type Province } from './linked-services';
import { BUDGET_POLICY, oneCall, segmentNumber } from './rule-budget-fixture';

const MINUTE = 60_000;

describe('carrier → administration: a demoted rule and its re-enable reach the oversight figures', () => {
  let province: Province;
  let ctcc: CarrierHarness;

  beforeAll(async () => {
    province = await startProvince(['CTCC']);
    ctcc = province.carriers.CTCC;
  });
  afterAll(() => province.close());

  const atAdmin = () =>
    province.admin.sql<{
      carrier: string;
      policy: string;
      reason: string;
      mistakes: number;
      reenabled_by: string | null;
    }>(`SELECT carrier, policy, reason, mistakes, reenabled_by FROM rule_demotion ORDER BY demoted_at`);

  it('sends the demotion through the ADMIN outbox, then its re-enable, into the figures', async () => {
    const ops = ctcc.client('carrier:CTCC', 'ops-li');
    await ops.putPolicy({ document: JSON.stringify(BUDGET_POLICY) });
    await ops.setPolicy({ policy: 'budget@1', mode: 'POLICY_MODE_ACTIVE' as never, reason: 'error budget test' });
    const start = Date.now() - 30 * MINUTE;
    const victims = [1, 2, 3].map((n) => segmentNumber(100 + n));
    await ingest(
      ops,
      toWire(
        victims.flatMap((m, i) => oneCall(m, start + i * MINUTE)),
        100,
        'victims',
      ),
    );
    for (const [i, msisdn] of victims.entries())
      await ops.resolveAppeal({ idempotencyKey: `a-${i}`, msisdn, upheld: true, reference: `a-${i}`, note: 'ok' });

    expect(await eventually(atAdmin, (rows) => rows.length === 1)).toEqual([
      { carrier: 'CTCC', policy: 'budget@1', reason: 'NEW_SEGMENT', mistakes: 3, reenabled_by: null },
    ]);
    const figures = await province.admin.get<{ demotedRules: unknown[] }>('/api/oversight', 'analyst');
    expect(figures.body.demotedRules).toEqual([
      {
        carrier: 'CTCC',
        inForce: 1,
        rules: [expect.objectContaining({ policy: 'budget@1', reason: 'NEW_SEGMENT', mistakes: 3, actions: 3 })],
      },
    ]);

    await ops.reenableRule({ policy: 'budget@1', reason: 'NEW_SEGMENT', why: 'weight lowered in budget@2' });
    expect(await eventually(atAdmin, (rows) => rows[0]?.reenabled_by !== null)).toEqual([
      expect.objectContaining({ reason: 'NEW_SEGMENT', reenabled_by: 'ops-li' }),
    ]);
  });
});
