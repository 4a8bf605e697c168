import { AnalysisEngine } from '../engine';
import { assess, explain } from '../evaluate';
import { cst, MINUTE, Scenario } from '../fixtures/scenario';
import { DEFAULT_POLICY_V4, DEFAULT_POLICY_V5, type PolicyDocument } from '../policy';
import { ReasonCode } from '../reasons';

interface Caller {
  /** Calls to strangers, one a minute from 10:00: which are answered. */
  answered: boolean[];
  /** Strangers (by index) who call back ten minutes after their call. */
  callBack?: number[];
  /** Friends it had called the week before, called again in the round. */
  friends?: number;
  /** Texts to strangers in the round. */
  texts?: number;
}

/** A twelve-day-old number's morning: calls to strangers, perhaps friends, texts and answers back. */
function morning({ answered, callBack = [], friends = 0, texts = 0 }: Caller) {
  const s = new Scenario(61);
  const subject = s.subscriber('17100000061', cst('2024-03-20T10:00'));
  const start = cst('2024-04-01T10:00');
  const friend = (i: number) => s.subscriber(`1380061${String(i).padStart(4, '0')}`, cst('2018-01-01T00:00'));
  for (let i = 0; i < friends; i++) s.call(cst('2024-03-25T18:00') + i * MINUTE, subject, friend(i), true, 120);
  answered.forEach((yes, i) => {
    const stranger = s.subscriber(`1370061${String(i).padStart(4, '0')}`, cst('2018-01-01T00:00'));
    s.call(start + i * MINUTE, subject, stranger, yes, yes ? 90 : 20);
    if (callBack.includes(i)) s.call(start + (i + 10) * MINUTE, stranger, subject, true, 40);
  });
  for (let i = 0; i < friends; i++) s.call(start + (answered.length + i) * MINUTE, subject, friend(i), true, 60);
  for (let i = 0; i < texts; i++)
    s.sms(start + i * MINUTE + 30_000, subject, s.n(`1360061${String(i).padStart(4, '0')}`));
  return { subject, events: s.sorted(), at: start + (answered.length + friends + 12) * MINUTE };
}

function measured(caller: Caller, policy: PolicyDocument = DEFAULT_POLICY_V5) {
  const { subject, events, at } = morning(caller);
  const engine = new AnalysisEngine({ policy });
  for (const event of events) engine.process(event);
  return engine.features(subject, at);
}

/** `n` calls, the first `yes` of them answered. */
const calls = (n: number, yes: number) => Array.from({ length: n }, (_, i) => i < yes);

describe('UNRETURNED_CALLS', () => {
  it('counts the calls to strangers when few are answered and none is returned', () => {
    expect(measured({ answered: calls(20, 8) }).unreturnedCalls).toBe(20);
  });

  it('counts none once one stranger called back, or half of them answered', () => {
    expect(measured({ answered: calls(20, 8), callBack: [3] }).unreturnedCalls).toBe(0);
    expect(measured({ answered: calls(20, 10) }).unreturnedCalls).toBe(0);
    expect(measured({ answered: calls(20, 9) }).unreturnedCalls).toBe(20);
  });

  it('counts neither friends called before nor texts', () => {
    expect(measured({ answered: calls(16, 0), friends: 5, texts: 10 }).unreturnedCalls).toBe(16);
  });

  it('is measured under default@4 but weighs nothing there, and weighs 0.3 in default@5', () => {
    const features = measured({ answered: calls(20, 8) }, DEFAULT_POLICY_V4);
    expect(assess(features, DEFAULT_POLICY_V4).signals.map((s) => s.code)).not.toContain(ReasonCode.UnreturnedCalls);
    expect(explain(features, DEFAULT_POLICY_V4).find((r) => r.code === ReasonCode.UnreturnedCalls)).toEqual({
      code: 'UNRETURNED_CALLS',
      kind: 'behaviour',
      measure: 'unreturned_calls_24h',
      value: 20,
      threshold: 15,
      strength: 0.5 + (0.5 * 5) / 15,
      weight: 0,
    });
    const signal = assess(measured({ answered: calls(20, 8) }), DEFAULT_POLICY_V5).signals.find(
      (s) => s.code === ReasonCode.UnreturnedCalls,
    );
    expect(signal?.contribution).toBeCloseTo(0.3 * (0.5 + (0.5 * 5) / 15));
  });

  it('is a volume signal: a declared courier’s multiplier raises its threshold', () => {
    const features = { ...measured({ answered: calls(20, 8) }), profile: 'courier' as never };
    const reading = explain(features, DEFAULT_POLICY_V5).find((r) => r.code === ReasonCode.UnreturnedCalls);
    expect(reading).toMatchObject({ value: 20, threshold: 45, strength: 0 });
  });
});
