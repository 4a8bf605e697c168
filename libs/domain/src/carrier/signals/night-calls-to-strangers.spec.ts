import { AnalysisEngine } from '../engine';
import { assess, explain } from '../evaluate';
import { cst, MINUTE, Scenario } from '../fixtures/scenario';
import type { Decision } from '../ladder';
import { Action, DEFAULT_POLICY, validatePolicy, type PolicyDocument } from '../policy';
import { ReasonCode } from '../reasons';

/**
 * An old number that, one night, calls seven people it never spoke to between
 * 01:00 and 01:30 (China Standard Time), and a friend who had called it the
 * evening before; in the afternoon it called three other strangers.
 */
function nightCaller() {
  const s = new Scenario(31);
  const subject = s.subscriber('13900000031', cst('2015-06-01T10:00'));
  const friend = s.subscriber('13900000032', cst('2016-06-01T10:00'));
  s.call(cst('2024-03-04T14:00'), subject, s.n('13700310001'), true, 90);
  s.call(cst('2024-03-04T14:10'), subject, s.n('13700310002'), true, 90);
  s.call(cst('2024-03-04T14:20'), subject, s.n('13700310003'), true, 90);
  s.call(cst('2024-03-04T22:00'), friend, subject, true, 300);
  s.call(cst('2024-03-05T00:50'), subject, friend, true, 120);
  for (let i = 0; i < 7; i++)
    s.call(cst('2024-03-05T01:00') + i * 5 * MINUTE, subject, s.n(`1380031${i}000`), true, 60);
  return { subject, events: s.sorted(), at: cst('2024-03-05T01:40') };
}

function run(policy: PolicyDocument) {
  const { subject, events, at } = nightCaller();
  const engine = new AnalysisEngine({ policy });
  const decisions: Decision[] = [];
  for (const event of events) decisions.push(...engine.process(event).decisions);
  return { decisions: decisions.filter((d) => d.msisdn === subject), features: engine.features(subject, at) };
}

/** default@2 with a weight for the new signal (what a default@3 could be). */
const WEIGHING_NIGHT_CALLS: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY,
  version: 3,
  weights: { ...DEFAULT_POLICY.weights, [ReasonCode.NightCallsToStrangers]: 0.5 },
});

describe('NIGHT_CALLS_TO_STRANGERS', () => {
  it('counts calls at night to numbers never contacted before, not the friend, not the afternoon', () => {
    expect(run(DEFAULT_POLICY).features.nightCallsToStrangers).toBe(7);
  });

  it('is measured under default@2 but weighs nothing there: no decision, shown with weight 0', () => {
    const { decisions, features } = run(DEFAULT_POLICY);
    expect(decisions).toEqual([]);
    expect(DEFAULT_POLICY.weights[ReasonCode.NightCallsToStrangers]).toBeUndefined();
    expect(assess(features, DEFAULT_POLICY).signals.map((s) => s.code)).not.toContain(ReasonCode.NightCallsToStrangers);
    const reading = explain(features, DEFAULT_POLICY).find((r) => r.code === ReasonCode.NightCallsToStrangers);
    expect(reading).toEqual({
      code: 'NIGHT_CALLS_TO_STRANGERS',
      kind: 'behaviour',
      measure: 'night_calls_to_strangers_24h',
      value: 7,
      threshold: 6,
      strength: 0.5 + 0.5 / 6,
      weight: 0,
    });
  });

  it('counts once a policy weighs it: MONITOR at the sixth such call, citing it, with a day of evidence', () => {
    const { decisions, features } = run(WEIGHING_NIGHT_CALLS);
    const assessed = assess(features, WEIGHING_NIGHT_CALLS);
    expect(assessed.signals.map((s) => s.code)).toEqual([ReasonCode.NightCallsToStrangers]);
    expect(assessed.score).toBe(Math.round(0.5 * (0.5 + 0.5 / 6) * 1000) / 1000);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      action: Action.Monitor,
      reasons: [ReasonCode.NightCallsToStrangers],
      policy: 'default@3',
    });
    expect(decisions[0].at).toBe(cst('2024-03-05T01:25'));
    expect(decisions[0].evidence.windowEnd - decisions[0].evidence.windowStart).toBe(86_400_000);
    expect(decisions[0].evidence.summary).toBe('night_calls_to_strangers_24h 6 (threshold 6)');
  });

  it('takes its night and threshold from the policy, each field optional and checked', () => {
    const tuned = (night: object) =>
      validatePolicy({
        ...WEIGHING_NIGHT_CALLS,
        thresholds: { ...WEIGHING_NIGHT_CALLS.thresholds, nightCallsToStrangers: night },
      });
    expect(run(tuned({ calls: 8 })).decisions).toEqual([]);
    expect(run(tuned({ fromHour: 1, toHour: 2 })).features.nightCallsToStrangers).toBe(7);
    expect(run(tuned({ fromHour: 2, toHour: 5 })).features.nightCallsToStrangers).toBe(0);
    // A night that wraps past midnight.
    expect(run(tuned({ fromHour: 22, toHour: 2 })).features.nightCallsToStrangers).toBe(7);
    expect(() => tuned({ calls: -1 })).toThrow('policy.thresholds.nightCallsToStrangers.calls: must be a number ≥ 0');
    expect(() => tuned({ hours: 3 })).toThrow(
      'policy.thresholds.nightCallsToStrangers.hours: is not a field of a policy document',
    );
  });
});
