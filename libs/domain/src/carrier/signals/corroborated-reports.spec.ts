import { AnalysisEngine } from '../engine';
import {
  falseReportAttack,
  reportedLowVolumeScam,
  reportsWithoutContact,
  scamReportedFromOtherNetworks,
} from '../fixtures';
import type { Fixture } from '../fixtures';
import type { Decision } from '../ladder';
import { Action, DEFAULT_POLICY_V2, ladderLevel, NAIVE_POLICY, validatePolicy, type PolicyDocument } from '../policy';
import { ReasonCode } from '../reasons';

/** default@2 with reports corroborated from both sides of a call (what a later default could be). */
const BOTH_SIDES: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY_V2,
  name: 'both-sides',
  version: 1,
  thresholds: {
    ...DEFAULT_POLICY_V2.thresholds,
    corroboratedReports: { ...DEFAULT_POLICY_V2.thresholds.corroboratedReports, bothSides: true },
  },
});

function run(fixture: Fixture, policy: PolicyDocument) {
  const engine = new AnalysisEngine({ policy });
  const decisions: Decision[] = [];
  for (const event of fixture.events) decisions.push(...engine.process(event).decisions);
  const own = decisions.filter((d) => d.msisdn === fixture.subject);
  const worst = own.reduce((w, d) => (ladderLevel(d.action) > ladderLevel(w) ? d.action : w), Action.None);
  const last = fixture.events[fixture.events.length - 1].at;
  return { decisions: own, worst, features: engine.features(fixture.subject, last) };
}

describe('CORROBORATED_REPORTS from both sides of a call', () => {
  const scam = scamReportedFromOtherNetworks();

  it('today: victims on other networks are not in our memory, their reports count as uncorroborated', () => {
    const { worst, features } = run(scam, DEFAULT_POLICY_V2);
    expect(worst).toBe(Action.None);
    expect(features).toMatchObject({ corroboratedReporters: 0, uncorroboratedReports: 4 });
  });

  it("with bothSides, the scammer's own records corroborate them: restricted on the second report", () => {
    const { worst, decisions, features } = run(scam, BOTH_SIDES);
    expect(features).toMatchObject({ corroboratedReporters: 4, uncorroboratedReports: 0 });
    // Reports are one kind of evidence: a suspension needs two.
    expect(worst).toBe(Action.Restrict);
    const restricted = decisions.find((d) => ladderLevel(d.action) >= ladderLevel(Action.Restrict))!;
    expect(restricted.reasons).toContain(ReasonCode.CorroboratedReports);
    const reportsBefore = scam.events.filter((e) => e.type === 'report' && e.at <= restricted.at).length;
    expect(reportsBefore).toBe(2);
  });

  it('reports without contact, or with a contact older than corroboratedReports.days, stay uncorroborated', () => {
    const fixture = reportsWithoutContact();
    for (const policy of [DEFAULT_POLICY_V2, BOTH_SIDES]) {
      const { worst, features } = run(fixture, policy);
      expect(features).toMatchObject({ corroboratedReporters: 0, uncorroboratedReports: 4 });
      expect(worst).toBe(Action.None);
    }
    // The old call is in the subject's memory: a policy looking back 30 days counts it.
    const month = { ...BOTH_SIDES.thresholds.corroboratedReports, days: 30 };
    const longer = validatePolicy({
      ...BOTH_SIDES,
      thresholds: { ...BOTH_SIDES.thresholds, corroboratedReports: month },
    });
    expect(run(fixture, longer).features).toMatchObject({ corroboratedReporters: 1, uncorroboratedReports: 3 });
  });

  it('a false-report attack is still refused and flagged, once', () => {
    const attack = falseReportAttack();
    const { worst, decisions } = run(attack, BOTH_SIDES);
    expect(ladderLevel(worst)).toBeLessThan(ladderLevel(Action.Warn));
    expect(decisions).toEqual([
      expect.objectContaining({ action: Action.Monitor, reasons: [ReasonCode.ReportAttack] }),
    ]);
  });

  it('reports of victims who are our subscribers count as before', () => {
    const scamOnOurNetwork = reportedLowVolumeScam();
    const ours = run(scamOnOurNetwork, DEFAULT_POLICY_V2);
    expect(
      run(scamOnOurNetwork, BOTH_SIDES).decisions.map(({ action, reasons, at }) => ({ action, reasons, at })),
    ).toEqual(ours.decisions.map(({ action, reasons, at }) => ({ action, reasons, at })));
  });

  it('naive, which counts every report, is unchanged by the switch it does not set', () => {
    expect(NAIVE_POLICY.thresholds.corroboratedReports).not.toHaveProperty('bothSides');
    expect(run(scam, NAIVE_POLICY).worst).toBe(Action.Suspend);
  });
});
