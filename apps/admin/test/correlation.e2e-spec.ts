import { aDecisionItem, AdminHarness, directiveStream, timestampIn, type AdminClient } from './admin-harness';

describe('Inter-network correlation (admin over gRPC)', () => {
  let harness: AdminHarness;
  let cmcc: AdminClient;
  let cucc: AdminClient;
  let ctcc: AdminClient;
  let analyst: AdminClient;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    cmcc = harness.client('carrier:CMCC');
    cucc = harness.client('carrier:CUCC');
    ctcc = harness.client('carrier:CTCC');
    analyst = harness.client('analyst');
  });
  afterAll(() => harness.close());

  const directivesOn = async (msisdn: string) => (await analyst.listDirectives({ msisdn })).directives;

  it("sends a REVIEW to the owner when another carrier reports its number, with the report's evidence", async () => {
    const report = aDecisionItem('19100000001', 'ACTION_REPORT');
    await cmcc.submitCarrierFeed({ items: [report] });
    const [review] = await directivesOn('19100000001');
    expect(review).toMatchObject({
      carrier: 'CTCC',
      issuedBy: 'admin-policy',
      status: 'DIRECTIVE_STATUS_PENDING',
      directive: {
        kind: 'DIRECTIVE_KIND_REVIEW',
        msisdn: '+8619100000001',
        reason: 'inter-network reports: CMCC 1',
        evidence: {
          summary: '1 REPORT decision from 1 carrier (CMCC 1)',
          measures: [
            { name: 'inter_network_reports', value: 1, threshold: 1 },
            { name: 'reporting_carriers', value: 1, threshold: 2 },
          ],
          cells: [{ cell: '460-11-23456-1', activity: 'call', at: report.decision!.evidence!.cells[0].at }],
          windowStart: report.decision!.evidence!.windowStart,
        },
      },
    });

    // The owner reads it on its stream.
    const stream = directiveStream(ctcc);
    expect((await stream.waitFor(1))[0]).toMatchObject({ kind: 'DIRECTIVE_KIND_REVIEW', msisdn: '+8619100000001' });
    stream.close();
  });

  it('issues nothing twice: a repeated feed, or more reports while the REVIEW is open', async () => {
    const report = aDecisionItem('19100000002', 'ACTION_REPORT');
    await cmcc.submitCarrierFeed({ items: [report] });
    await cmcc.submitCarrierFeed({ items: [report] });
    await cmcc.submitCarrierFeed({ items: [aDecisionItem('19100000002', 'ACTION_REPORT')] });
    expect((await directivesOn('19100000002')).map((d) => d.directive?.kind)).toEqual(['DIRECTIVE_KIND_REVIEW']);
  });

  it("escalates to SUSPEND once a second carrier reports the number, merging both carriers' evidence", async () => {
    await cmcc.submitCarrierFeed({ items: [aDecisionItem('19100000003', 'ACTION_REPORT')] });
    const second = aDecisionItem('19100000003', 'ACTION_REPORT', {
      evidence: {
        summary: 'harassing calls',
        windowStart: timestampIn(-7_200_000),
        windowEnd: timestampIn(-120_000),
        measures: [],
        cells: [{ cell: '460-01-33333-3', activity: 'sms', at: timestampIn(-300_000) }],
      },
    });
    await cucc.submitCarrierFeed({ items: [second] });
    await cucc.submitCarrierFeed({ items: [second] });
    const directives = await directivesOn('19100000003');
    expect(directives.map((d) => d.directive?.kind)).toEqual(['DIRECTIVE_KIND_SUSPEND', 'DIRECTIVE_KIND_REVIEW']);
    const suspend = directives[0].directive!;
    expect(suspend.reason).toBe('inter-network reports: CMCC 1, CUCC 1');
    expect(suspend.evidence!.summary).toBe('2 REPORT decisions from 2 carriers (CMCC 1, CUCC 1)');
    expect(suspend.evidence!.cells.map((c) => c.cell)).toEqual(['460-11-23456-1', '460-01-33333-3']);
    expect(suspend.evidence!.windowStart).toEqual(second.decision!.evidence!.windowStart);
  });

  it('issues one SUSPEND when two carriers report the number at the same time', async () => {
    await Promise.all([
      cmcc.submitCarrierFeed({ items: [aDecisionItem('13000000004', 'ACTION_REPORT')] }),
      ctcc.submitCarrierFeed({ items: [aDecisionItem('13000000004', 'ACTION_REPORT')] }),
    ]);
    const directives = await directivesOn('13000000004');
    expect(directives.map((d) => [d.directive?.kind, d.carrier])).toContainEqual(['DIRECTIVE_KIND_SUSPEND', 'CUCC']);
    expect(directives.filter((d) => d.directive?.kind === 'DIRECTIVE_KIND_SUSPEND')).toHaveLength(1);
  });

  it('never directs a carrier about its own report, nor anyone about a foreign number', async () => {
    await ctcc.submitCarrierFeed({ items: [aDecisionItem('19100000005', 'ACTION_REPORT')] });
    await cmcc.submitCarrierFeed({ items: [aDecisionItem('+12025550123', 'ACTION_REPORT')] });
    expect(await directivesOn('19100000005')).toEqual([]);
    expect(await directivesOn('+12025550123')).toEqual([]);
  });

  it('leaves other decisions alone: only REPORT decisions are inter-network reports', async () => {
    await cmcc.submitCarrierFeed({ items: [aDecisionItem('19100000006', 'ACTION_WARN')] });
    expect(await directivesOn('19100000006')).toEqual([]);
  });
});

describe('Inter-network correlation with a stricter policy', () => {
  let harness: AdminHarness;

  beforeAll(async () => {
    harness = await AdminHarness.start({ env: { ADMIN_REVIEW_AFTER_REPORTS: '3', ADMIN_SUSPEND_AFTER_CARRIERS: '3' } });
  });
  afterAll(() => harness.close());

  it('waits for ADMIN_REVIEW_AFTER_REPORTS reports and ADMIN_SUSPEND_AFTER_CARRIERS carriers', async () => {
    const cmcc = harness.client('carrier:CMCC');
    const kinds = async () =>
      (await harness.client('analyst').listDirectives({ msisdn: '19100000007' })).directives.map(
        (d) => d.directive?.kind,
      );
    await cmcc.submitCarrierFeed({ items: [aDecisionItem('19100000007'), aDecisionItem('19100000007')] });
    expect(await kinds()).toEqual([]);
    await harness.client('carrier:CUCC').submitCarrierFeed({ items: [aDecisionItem('19100000007')] });
    expect(await kinds()).toEqual(['DIRECTIVE_KIND_REVIEW']);
    await harness.client('carrier:CBN').submitCarrierFeed({ items: [aDecisionItem('19100000007')] });
    expect(await kinds()).toEqual(['DIRECTIVE_KIND_SUSPEND', 'DIRECTIVE_KIND_REVIEW']);
  });
});
