import { status } from '@grpc/grpc-js';
import { grpcError } from '@app/testing';
import { aCountItem, aDecisionItem, AdminHarness, feedKey, timestampIn, type AdminClient } from './admin-harness';

describe('SubmitCarrierFeed (admin over gRPC)', () => {
  let harness: AdminHarness;
  let cmcc: AdminClient;
  let cucc: AdminClient;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    cmcc = harness.client('carrier:CMCC');
    cucc = harness.client('carrier:CUCC');
  });
  afterAll(() => harness.close());

  const decisionsOf = (carrier: string) =>
    harness.sql<{
      decision_id: string;
      msisdn: string;
      action: string;
      reasons: string[];
      evidence: { cells: unknown[] };
    }>(
      'SELECT decision_id, msisdn, action, reasons, evidence FROM carrier_decision ' +
        'WHERE carrier = $1 ORDER BY decision_id',
      [carrier],
    );

  it("stores decisions in E.164 under the caller's carrier; a retried key is a replay", async () => {
    const warn = aDecisionItem('13800000001', 'ACTION_WARN', { reasons: ['CALL_BURST'] });
    const report = aDecisionItem('+8619100000001', 'ACTION_REPORT');
    await expect(cmcc.submitCarrierFeed({ items: [warn, report] })).resolves.toEqual({ accepted: 2, replayed: 0 });
    await expect(cmcc.submitCarrierFeed({ items: [warn, report] })).resolves.toEqual({ accepted: 0, replayed: 2 });

    const stored = await decisionsOf('CMCC');
    expect(stored).toHaveLength(2);
    expect(stored.find((d) => d.decision_id === warn.decision!.decisionId)).toMatchObject({
      msisdn: '+8613800000001',
      action: 'WARN',
      reasons: ['CALL_BURST'],
    });
    expect(stored.find((d) => d.decision_id === report.decision!.decisionId)?.evidence.cells).toEqual([
      { cell: '460-11-23456-1', activity: 'call', at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) },
    ]);
    // Keys are per carrier: another carrier's item with the same key is its own.
    await expect(
      cucc.submitCarrierFeed({ items: [{ ...warn, decision: { ...warn.decision!, msisdn: '13000000001' } }] }),
    ).resolves.toEqual({ accepted: 1, replayed: 0 });
  });

  it('counts a key repeated within one batch once', async () => {
    const item = aDecisionItem('13800000002', 'ACTION_MONITOR');
    await expect(cmcc.submitCarrierFeed({ items: [item, item] })).resolves.toEqual({ accepted: 1, replayed: 1 });
  });

  it('keeps the latest daily count for a day, policy, action and reason', async () => {
    await cmcc.submitCarrierFeed({
      items: [aCountItem({ count: 12 }), aCountItem({ count: 15 }), aCountItem({ reason: 'ONE_RING', count: 3 })],
    });
    await cmcc.submitCarrierFeed({ items: [aCountItem({ count: 17 })] });
    const counts = await harness.sql<{ reason: string; count: string }>(
      `SELECT reason, count FROM daily_count
       WHERE carrier = 'CMCC' AND day = '2024-02-06' AND action = 'WARN' ORDER BY reason`,
    );
    expect(counts).toEqual([
      { reason: 'CALL_BURST', count: '17' },
      { reason: 'ONE_RING', count: '3' },
    ]);
  });

  it('refuses a batch with one bad item, naming it, and writes nothing', async () => {
    const good = aDecisionItem('13800000003', 'ACTION_WARN');
    const bad = aDecisionItem('１３８００００００４', 'ACTION_WARN');
    await expect(cmcc.submitCarrierFeed({ items: [good, bad] })).rejects.toMatchObject(
      grpcError(status.INVALID_ARGUMENT, 'items[1].decision.msisdn'),
    );
    expect(await harness.sql('SELECT 1 FROM carrier_decision WHERE msisdn = $1', ['+8613800000003'])).toEqual([]);
    expect(await harness.sql('SELECT 1 FROM feed_item WHERE idempotency_key = $1', [good.idempotencyKey])).toEqual([]);
    // The same good item alone is then accepted: the refused batch took no key.
    await expect(cmcc.submitCarrierFeed({ items: [good] })).resolves.toEqual({ accepted: 1, replayed: 0 });
  });

  it.each([
    ['no items', { items: [] }, 'items: at least one item'],
    [
      'more than 1,000 items',
      { items: Array.from({ length: 1001 }, () => aCountItem()) },
      'items: at most 1000 items per call, got 1001',
    ],
    ['no key', { items: [{ ...aCountItem(), idempotencyKey: '' }] }, 'items[0].idempotency_key'],
    ['neither a decision nor a count', { items: [{ idempotencyKey: feedKey() }] }, 'items[0].kind'],
    [
      'no decision id',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { decisionId: '' })] },
      'items[0].decision.decision_id',
    ],
    [
      'a foreign-looking garbage number',
      { items: [aDecisionItem('+86123', 'ACTION_WARN')] },
      'items[0].decision.msisdn',
    ],
    [
      'no action',
      { items: [aDecisionItem('13800000005', 'ACTION_UNSPECIFIED')] },
      'items[0].decision.action: an action is required',
    ],
    [
      'no reasons',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { reasons: [] })] },
      'items[0].decision.reasons',
    ],
    [
      'a lower-case reason',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { reasons: ['call_burst'] })] },
      'items[0].decision.reasons[0]',
    ],
    [
      'a score above 1',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { score: 1.5 })] },
      'items[0].decision.score',
    ],
    [
      'a policy without version',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { policy: 'default' })] },
      'items[0].decision.policy',
    ],
    [
      'no event time',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { at: undefined })] },
      "items[0].decision.at: the decision's event time is required",
    ],
    [
      'an event time in the future',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { at: timestampIn(3_600_000) })] },
      'items[0].decision.at: is in the future',
    ],
    [
      'no evidence',
      { items: [aDecisionItem('13800000005', 'ACTION_WARN', { evidence: undefined })] },
      'items[0].decision.evidence: evidence is required',
    ],
    [
      'a malformed cell',
      {
        items: [
          aDecisionItem('13800000005', 'ACTION_WARN', {
            evidence: {
              summary: '',
              measures: [],
              cells: [{ cell: '460-11', activity: 'call', at: undefined }],
              windowStart: undefined,
              windowEnd: undefined,
            },
          }),
        ],
      },
      'items[0].decision.evidence.cells[0].cell',
    ],
    ['a bad day', { items: [aCountItem({ day: '2024-02-30' })] }, 'items[0].daily_count.day'],
    ['a negative count', { items: [aCountItem({ count: -1 })] }, 'items[0].daily_count.count'],
    ['a count without reason', { items: [aCountItem({ reason: '' })] }, 'items[0].daily_count.reason'],
  ])('refuses %s with INVALID_ARGUMENT naming the field', async (_case, request, field) => {
    await expect(cmcc.submitCarrierFeed(request)).rejects.toMatchObject(grpcError(status.INVALID_ARGUMENT, field));
  });

  it('admits carrier tokens only', async () => {
    await expect(harness.client('admin:sichuan').submitCarrierFeed({ items: [aCountItem()] })).rejects.toMatchObject(
      grpcError(status.PERMISSION_DENIED),
    );
    await expect(harness.client('analyst').submitCarrierFeed({ items: [aCountItem()] })).rejects.toMatchObject(
      grpcError(status.PERMISSION_DENIED),
    );
    await expect(harness.client().submitCarrierFeed({ items: [aCountItem()] })).rejects.toMatchObject(
      grpcError(status.UNAUTHENTICATED),
    );
  });
});
