import { DirectiveKind } from '../directives/directive';
import type { InterNetworkReport } from '../feed/feed.repository';
import { correlateReports } from './correlation-policy';

const policy = { reviewAfterReports: 1, suspendAfterCarriers: 2 };

function report(carrier: string, at: string, cells: { cell: string; at: string }[] = []): InterNetworkReport {
  return {
    carrier,
    decisionId: `${carrier}-${at}`,
    msisdn: '+8619100000001',
    at: new Date(at),
    evidence: {
      summary: 'reported',
      windowStart: null,
      windowEnd: null,
      measures: [],
      cells: cells.map((c) => ({ ...c, activity: 'call' })),
    },
  };
}

describe(correlateReports.name, () => {
  it('reviews a number once another carrier reported it', () => {
    const found = correlateReports('CTCC', [report('CMCC', '2024-02-06T10:00:00Z')], policy);
    expect(found).toMatchObject({ kind: DirectiveKind.Review, reason: 'inter-network reports: CMCC 1' });
    expect(found?.evidence).toMatchObject({
      summary: '1 REPORT decision from 1 carrier (CMCC 1)',
      windowStart: '2024-02-06T10:00:00.000Z',
      windowEnd: '2024-02-06T10:00:00.000Z',
    });
  });

  it('suspends once reports come from enough distinct carriers', () => {
    const found = correlateReports(
      'CTCC',
      [
        report('CUCC', '2024-02-06T11:00:00Z'),
        report('CMCC', '2024-02-06T10:00:00Z'),
        report('CMCC', '2024-02-07T10:00:00Z'),
      ],
      policy,
    );
    expect(found).toMatchObject({ kind: DirectiveKind.Suspend, reason: 'inter-network reports: CMCC 2, CUCC 1' });
    expect(found?.evidence.measures).toEqual([
      { name: 'inter_network_reports', value: 3, threshold: 1 },
      { name: 'reporting_carriers', value: 2, threshold: 2 },
    ]);
  });

  it("does not count the owner's own reports", () => {
    expect(correlateReports('CTCC', [report('CTCC', '2024-02-06T10:00:00Z')], policy)).toBeUndefined();
    expect(
      correlateReports('CTCC', [report('CTCC', '2024-02-06T10:00:00Z'), report('CMCC', '2024-02-06T11:00:00Z')], policy)
        ?.kind,
    ).toBe(DirectiveKind.Review);
  });

  it('needs the review threshold even for a suspension', () => {
    const strict = { reviewAfterReports: 3, suspendAfterCarriers: 2 };
    expect(
      correlateReports(
        'CTCC',
        [report('CMCC', '2024-02-06T10:00:00Z'), report('CUCC', '2024-02-06T11:00:00Z')],
        strict,
      ),
    ).toBeUndefined();
  });

  it('merges the cells: each sighting once, oldest first', () => {
    const a = { cell: '460-00-1-1', at: '2024-02-06T10:05:00.000Z' };
    const b = { cell: '460-01-2-2', at: '2024-02-06T09:00:00.000Z' };
    const found = correlateReports(
      'CTCC',
      [report('CMCC', '2024-02-06T10:10:00Z', [a, b]), report('CUCC', '2024-02-06T10:20:00Z', [a])],
      policy,
    );
    expect(found?.evidence.cells).toEqual([
      { ...b, activity: 'call' },
      { ...a, activity: 'call' },
    ]);
  });
});
