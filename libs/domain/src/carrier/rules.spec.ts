import { AnalysisEngine } from './engine';
import { assess } from './evaluate';
import { emptyFeatures } from './features';
import { cst, DAY, Scenario } from './fixtures/scenario';
import {
  Action,
  DEFAULT_POLICY,
  DEFAULT_POLICY_V1,
  DEFAULT_POLICY_V2,
  NAIVE_POLICY,
  validatePolicy,
  type PolicyDocument,
} from './policy';
import { RULE_DEFAULTS, rulesOf } from './rules';
import { MEASURED, OUTCOME_REASONS, REASONS, ReasonCode, SIGNALS, THRESHOLD_SCHEMA } from './signals';

describe('the tables derived from the signals', () => {
  it('give every signal and outcome its code and texts, in the order of the lists', () => {
    const listed = [...MEASURED, ...OUTCOME_REASONS];
    expect(Object.values(ReasonCode)).toEqual(listed.map((r) => r.code));
    expect(Object.keys(REASONS)).toEqual(listed.map((r) => r.code));
    for (const r of listed) {
      expect(ReasonCode[r.key as keyof typeof ReasonCode]).toBe(r.code);
      expect(REASONS[r.code].zh).not.toBe('');
      expect(REASONS[r.code].en).not.toBe('');
    }
  });

  it("hold each signal's thresholds in the policy schema, and every built-in policy validates against it", () => {
    for (const s of MEASURED)
      for (const name of Object.keys(s.thresholds)) expect(THRESHOLD_SCHEMA).toHaveProperty(name);
    for (const policy of [NAIVE_POLICY, DEFAULT_POLICY_V1, DEFAULT_POLICY_V2, DEFAULT_POLICY])
      expect(validatePolicy(JSON.parse(JSON.stringify(policy)))).toEqual(policy);
    // Every weighed signal has an assessment; the outcome with a measure (report attack) has none.
    expect(SIGNALS.every((s) => typeof s.assess === 'function')).toBe(true);
  });
});

describe('rules: the tunables in the policy document', () => {
  it('default to the values the rules had as constants', () => {
    const rules = rulesOf(DEFAULT_POLICY_V2);
    expect(rules.callbackWindowSec).toBe(24 * 3600);
    expect(rules.dwellGapSec).toBe(30 * 60);
    expect(rules.quietResetMs).toBe(7 * DAY);
    expect(rules.foreignReportEveryMs).toBe(DAY);
    expect(rules.reportAttackEveryMs).toBe(DAY);
    expect(rules.meaningfulContribution).toBe(0.05);
    expect(rules.honestPattern).toEqual({ minCalls: 5, answerRate: 0.6, callbackShare: 0.1 });
    expect(rules.thresholds.uncorroboratedReportsDays).toBe(30);
    expect(rules.thresholds.highRiskActivity).toEqual({
      calls: 4,
      minDwellMin: 60,
      dwellGapMin: 30,
      fraudLikeOnly: false,
      shortSec: 10,
    });
    expect(rules.thresholds.corroboratedReports).toEqual({ reporters: 1, days: 14, bothSides: false });
    expect(RULE_DEFAULTS.honestPattern.callbackWithinHours).toBe(24);
    // Resolving fills a copy: the stored document stays as it was.
    expect(DEFAULT_POLICY_V2.thresholds.highRiskActivity).toEqual({ calls: 4, minDwellMin: 60 });
  });

  it('halve volume reasons for honest patterns as the policy defines them', () => {
    const f = emptyFeatures();
    Object.assign(f, { calls10m: 12, callsRecent: 10, answeredRecent: 8, callbacks: 2 });
    const burst = (policy: PolicyDocument) =>
      assess(f, policy).signals.find((s) => s.code === ReasonCode.CallBurst)?.contribution;
    const strict = validatePolicy({
      ...DEFAULT_POLICY,
      gates: { ...DEFAULT_POLICY.gates, honestPattern: { minCalls: 20 } },
    });
    expect(burst(DEFAULT_POLICY)).toBeCloseTo(burst(strict)! / 2, 12);
    expect(burst(strict)).toBeCloseTo(0.4 * (0.5 + (0.5 * 3) / 9), 12);
  });

  it('let MONITOR and WARN lapse after the quiet period the policy sets', () => {
    const quick = validatePolicy({ ...DEFAULT_POLICY, ladder: { ...DEFAULT_POLICY.ladder, quietResetDays: 2 } });
    const s = new Scenario(44);
    const a = s.subscriber('17100000044', cst('2024-03-01T00:00'));
    const targets = Array.from({ length: 12 }, (_, i) => s.n(`1370044${String(i * 797).padStart(4, '0')}`));
    targets.forEach((t, i) => s.call(cst('2024-03-02T10:00') + i * 40_000, a, t, false, 20));
    const level = (policy: PolicyDocument, at: number) => {
      const engine = new AnalysisEngine({ policy });
      for (const e of s.sorted()) engine.process(e);
      return engine.levelOf(a, at);
    };
    const threeDaysOn = cst('2024-03-02T10:00') + 3 * DAY;
    expect([Action.Monitor, Action.Warn]).toContain(level(DEFAULT_POLICY, threeDaysOn));
    expect(level(quick, threeDaysOn)).toBe(Action.None);
  });

  it('are checked field by field, each error naming its field', () => {
    const gates = (extra: object) => ({ ...DEFAULT_POLICY, gates: { ...DEFAULT_POLICY.gates, ...extra } });
    expect(() =>
      validatePolicy({ ...DEFAULT_POLICY, ladder: { ...DEFAULT_POLICY.ladder, quietResetDays: -1 } }),
    ).toThrow('policy.ladder.quietResetDays: must be a number ≥ 0');
    expect(() => validatePolicy(gates({ honestPattern: { answerRate: 2 } }))).toThrow(
      'policy.gates.honestPattern.answerRate: must be between 0 and 1',
    );
    expect(() => validatePolicy(gates({ honestPattern: { minCall: 3 } }))).toThrow(
      'policy.gates.honestPattern.minCall: is not a field of a policy document',
    );
    expect(() => validatePolicy(gates({ meaningfulContribution: 'high' }))).toThrow(
      'policy.gates.meaningfulContribution: must be between 0 and 1',
    );
    const thresholds = {
      ...DEFAULT_POLICY.thresholds,
      highRiskActivity: { calls: 4, minDwellMin: 60, dwellGapMin: -5 },
    };
    expect(() => validatePolicy({ ...DEFAULT_POLICY, thresholds })).toThrow(
      'policy.thresholds.highRiskActivity.dwellGapMin: must be a number ≥ 0',
    );
    const corroboratedReports = { reporters: 1, days: 14, bothSides: 'yes' };
    expect(() =>
      validatePolicy({ ...DEFAULT_POLICY, thresholds: { ...DEFAULT_POLICY.thresholds, corroboratedReports } }),
    ).toThrow('policy.thresholds.corroboratedReports.bothSides: must be true or false');
  });
});
