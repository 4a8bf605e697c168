import {
  CALL_ANSWERS,
  CARRIER_WARNED,
  ESSENTIAL_NUMBER,
  judgeCall,
  KNOWN_CONTACT,
  type CallAnswer,
} from './call-verdict';
import { AnalysisEngine, msisdnKey, type CalleeWarning, type EngineResult } from './engine';
import { cst, DAY, HOUR, MINUTE, Scenario } from './fixtures/scenario';
import type { CarrierEvent } from './events';
import {
  Action,
  DEFAULT_POLICY_V2,
  DEFAULT_POLICY_V1,
  NAIVE_POLICY,
  validatePolicy,
  type PolicyDocument,
} from './policy';
import { rulesOf } from './rules';
import { calleeWarningText, CALLS_LABELLED, noticeText } from './notice';
import { ReasonCode } from './signals';
import type { Msisdn } from '../msisdn';

const PROTECTED: PolicyDocument = { ...DEFAULT_POLICY_V2, version: 90, calleeProtection: {} };

const view = (a: CallAnswer) => ({ verdict: a.verdict, reasons: [...a.reasons] });

describe('calleeProtection: the policy section', () => {
  it('is off when absent, and takes WARN, a warning SMS, 24 h and no label first as defaults when present', () => {
    for (const policy of [NAIVE_POLICY, DEFAULT_POLICY_V1, DEFAULT_POLICY_V2])
      expect(rulesOf(policy).calleeProtection).toBeUndefined();
    expect(rulesOf(validatePolicy(PROTECTED)).calleeProtection).toEqual({
      fromStep: Action.Warn,
      fromLevel: 2,
      warnCallee: true,
      warnEveryMs: 24 * HOUR,
      labelFirst: false,
    });
    const set = validatePolicy({
      ...DEFAULT_POLICY_V2,
      calleeProtection: { fromStep: 'MONITOR', warnCallee: false, warnEveryHours: 6, labelFirst: true },
    });
    expect(rulesOf(set).calleeProtection).toEqual({
      fromStep: Action.Monitor,
      fromLevel: 1,
      warnCallee: false,
      warnEveryMs: 6 * HOUR,
      labelFirst: true,
    });
  });

  it.each([
    ['not an object', true, 'policy.calleeProtection', 'must be an object'],
    ['a step it cannot start from', { fromStep: 'SUSPEND' }, 'policy.calleeProtection.fromStep', 'must be one of'],
    ['warnCallee not a flag', { warnCallee: 'yes' }, 'policy.calleeProtection.warnCallee', 'must be true or false'],
    ['a period of 0', { warnEveryHours: 0 }, 'policy.calleeProtection.warnEveryHours', 'must be a number > 0'],
    ['a misspelt field', { warnEveryHour: 12 }, 'policy.calleeProtection.warnEveryHour', 'is not a field'],
    ['labelFirst not a flag', { labelFirst: 1 }, 'policy.calleeProtection.labelFirst', 'must be true or false'],
    [
      'labelFirst from RESTRICT (nothing is labelled there)',
      { fromStep: 'RESTRICT', labelFirst: true },
      'policy.calleeProtection.labelFirst',
      'needs fromStep below RESTRICT',
    ],
  ])('is refused when %s, the field named', (_case, calleeProtection, field, reason) => {
    const bad = () => validatePolicy({ ...DEFAULT_POLICY_V2, calleeProtection });
    expect(bad).toThrow(`${field}: `);
    expect(bad).toThrow(reason);
  });
});

describe('judgeCall: call setup’s rule', () => {
  const at = cst('2024-03-01T10:00');
  let s: Scenario;
  let warned: Msisdn;
  let friend: Msisdn;
  const stranger = '+8613800000099';

  /** An engine with `warned` at WARN (a directive's step is enough here) and `friend` in contact with it. */
  function engineUnder(policy: PolicyDocument): AnalysisEngine {
    const engine = new AnalysisEngine({ policy, carrier: 'CTCC' });
    s.sorted().forEach((e) => engine.process(e));
    engine.primary.impose(msisdnKey(warned), warned, Action.Warn, ReasonCode.CorroboratedReports, at);
    return engine;
  }

  beforeEach(() => {
    s = new Scenario(21);
    warned = s.subscriber('13300000021', cst('2023-01-01T00:00'));
    friend = s.subscriber('13300000022', cst('2023-01-01T00:00'));
    s.call(at - DAY, friend, warned, true, 120);
  });

  it('labels a call from a number at WARN to a stranger, CARRIER_WARNED; a known contact is allowed', () => {
    const engine = engineUnder(PROTECTED);
    expect(view(judgeCall(engine, warned, stranger, at + 1000))).toEqual({
      verdict: 'LABEL',
      reasons: [CARRIER_WARNED],
    });
    expect(view(judgeCall(engine, warned, friend, at + 1000))).toEqual({ verdict: 'ALLOW', reasons: [] });
  });

  it('keeps the registry’s marks beside the label, and a police confirmation still blocks', () => {
    const engine = engineUnder(PROTECTED);
    engine.knowRegistryStatus(warned, 'SUSPECTED');
    expect(view(judgeCall(engine, warned, stranger, at))).toEqual({
      verdict: 'LABEL',
      reasons: [ReasonCode.RegistrySuspected, CARRIER_WARNED],
    });
    engine.knowRegistryStatus(warned, 'CONFIRMED');
    expect(view(judgeCall(engine, warned, stranger, at))).toEqual({
      verdict: 'BLOCK',
      reasons: [ReasonCode.RegistryConfirmed],
    });
  });

  it('always allows the essentials, and leaves other service numbers to the caller’s marks', () => {
    const engine = engineUnder(PROTECTED);
    expect(view(judgeCall(engine, warned, '96110', at))).toEqual({ verdict: 'ALLOW', reasons: [ESSENTIAL_NUMBER] });
    expect(view(judgeCall(engine, warned, '95555', at))).toEqual({ verdict: 'ALLOW', reasons: [] });
  });

  it('labels from the step the policy names: MONITOR too, not WARN under fromStep RESTRICT', () => {
    const fromMonitor = engineUnder({ ...PROTECTED, calleeProtection: { fromStep: Action.Monitor } });
    const monitored = s.n('13300000023');
    fromMonitor.primary.impose(msisdnKey(monitored), monitored, Action.Monitor, ReasonCode.NewNumber, at);
    expect(judgeCall(fromMonitor, monitored, stranger, at).verdict).toBe('LABEL');
    const fromRestrict = engineUnder({ ...PROTECTED, calleeProtection: { fromStep: Action.Restrict } });
    expect(view(judgeCall(fromRestrict, warned, stranger, at))).toEqual({ verdict: 'ALLOW', reasons: [] });
  });

  it('leaves RESTRICT and SUSPEND as they were: strangers blocked, known contacts reached', () => {
    const engine = engineUnder(PROTECTED);
    engine.primary.impose(msisdnKey(warned), warned, Action.Restrict, ReasonCode.Directive, at + 1);
    expect(view(judgeCall(engine, warned, stranger, at + 2))).toEqual({ verdict: 'BLOCK', reasons: ['RESTRICTED'] });
    expect(view(judgeCall(engine, warned, friend, at + 2))).toEqual({
      verdict: 'ALLOW',
      reasons: ['RESTRICTED', KNOWN_CONTACT],
    });
    engine.primary.impose(msisdnKey(warned), warned, Action.Suspend, ReasonCode.Directive, at + 3);
    expect(view(judgeCall(engine, warned, friend, at + 4))).toEqual({ verdict: 'BLOCK', reasons: ['SUSPENDED'] });
  });

  it('answers exactly as before when the policy has no section: the same frozen answers', () => {
    const without = engineUnder(DEFAULT_POLICY_V2);
    const withSection = engineUnder(PROTECTED);
    const callers = [warned, friend, s.n('13900000001')];
    const callees = [stranger, friend, '110', '95555'];
    for (const caller of callers)
      for (const callee of callees) {
        const answer = judgeCall(without, caller, callee, at);
        expect(answer.rule).not.toBe('CARRIER_WARNED');
        expect(Object.isFrozen(answer) && Object.isFrozen(answer.reasons)).toBe(true);
        // The section changes only the warned caller's calls to strangers.
        if (!(caller === warned && callee === stranger))
          expect(judgeCall(withSection, caller, callee, at)).toBe(answer);
      }
    expect(judgeCall(without, warned, stranger, at)).toBe(CALL_ANSWERS.MARKS.NONE.NOT_LISTED);
  });
});

describe('callee warnings in the engine', () => {
  const start = cst('2024-03-04T09:00');
  let s: Scenario;
  let caller: Msisdn;
  let callees: Msisdn[];
  let foreign: Msisdn;

  beforeEach(() => {
    s = new Scenario(22);
    caller = s.subscriber('13300000031', cst('2023-01-01T00:00'));
    callees = ['13300000032', '13300000033', '13300000034'].map((n) => s.subscriber(n, cst('2023-01-01T00:00')));
    foreign = s.subscriber('13900000031', cst('2023-01-01T00:00'), undefined, 'CMCC');
  });

  /** Feeds the scenario with the caller put at WARN first; every callee warning, in order. */
  function run(
    policy: PolicyDocument,
    shadow?: PolicyDocument,
  ): { warnings: CalleeWarning[]; results: EngineResult[] } {
    const engine = new AnalysisEngine({ policy, shadow, carrier: 'CTCC' });
    const events = s.sorted();
    const results: EngineResult[] = [];
    for (const e of events.filter((x) => x.type === 'subscriber')) engine.process(e);
    engine.directive(caller, Action.Suspend, start - HOUR);
    engine.appealUpheld(caller, start - HOUR + 1);
    engine.primary.impose(msisdnKey(caller), caller, Action.Warn, ReasonCode.CorroboratedReports, start - HOUR + 2);
    for (const e of events.filter((x) => x.type !== 'subscriber')) results.push(engine.process(e));
    return { warnings: results.flatMap((r) => r.calleeWarnings ?? []), results };
  }

  it('warns a callee of ours who answered a call from a number at WARN, with the reasons of its step', () => {
    s.call(start, caller, callees[0], true, 90);
    const { warnings } = run(PROTECTED);
    expect(warnings).toEqual([
      {
        at: start,
        callee: callees[0],
        caller,
        policy: 'default@90',
        reasons: [ReasonCode.CorroboratedReports],
      },
    ]);
  });

  it('warns each callee once per day whoever calls, and again the next day', () => {
    const [second, third] = ['13300000035', '13300000036'].map((n) => s.subscriber(n, cst('2023-01-01T00:00')));
    s.call(start, caller, callees[0], true, 90);
    s.call(start + 10 * MINUTE, caller, callees[1], true, 90);
    s.call(start + 3 * HOUR, second, callees[0], true, 60); // a new stranger, but warned today already
    s.call(start + DAY + HOUR, third, callees[0], true, 60); // the next day
    const engine = new AnalysisEngine({ policy: PROTECTED, carrier: 'CTCC' });
    const events = s.sorted();
    events.filter((e) => e.type === 'subscriber').forEach((e) => engine.process(e));
    for (const n of [caller, second, third])
      engine.primary.impose(msisdnKey(n), n, Action.Warn, ReasonCode.NewNumber, start - 1);
    const warnings = events
      .filter((e) => e.type !== 'subscriber')
      .flatMap((e) => engine.process(e).calleeWarnings ?? []);
    expect(warnings.map((w) => [w.caller, w.callee, w.at])).toEqual([
      [caller, callees[0], start],
      [caller, callees[1], start + 10 * MINUTE],
      [third, callees[0], start + DAY + HOUR],
    ]);
  });

  it('warns only for answered calls to our own subscribers who are strangers to the caller', () => {
    s.call(start, caller, callees[0], false, 0); // not answered
    s.sms(start + MINUTE, caller, callees[1]); // a text, not a call
    s.call(start + 2 * MINUTE, caller, foreign, true, 60); // not ours
    s.call(start - 2 * DAY, callees[2], caller, true, 60); // known: called the caller two days before
    s.call(start + 3 * MINUTE, caller, callees[2], true, 60);
    expect(run(PROTECTED).warnings).toEqual([]);
  });

  it('warns nobody without the section, with warnCallee false, or below fromStep', () => {
    s.call(start, caller, callees[0], true, 90);
    expect(run(DEFAULT_POLICY_V2).warnings).toEqual([]);
    expect(run({ ...PROTECTED, calleeProtection: { warnCallee: false } }).warnings).toEqual([]);
    expect(run({ ...PROTECTED, calleeProtection: { fromStep: Action.Restrict } }).warnings).toEqual([]);
  });

  it('lets a shadow policy warn nobody: it is not enforced', () => {
    s.call(start, caller, callees[0], true, 90);
    const { warnings, results } = run(DEFAULT_POLICY_V2, { ...PROTECTED, name: 'candidate' });
    expect(warnings).toEqual([]);
    expect(results.every((r) => r.calleeWarnings === undefined)).toBe(true);
  });

  it('gives the same warnings on a replay of the same events', () => {
    for (let i = 0; i < 40; i++)
      s.call(start + i * 17 * MINUTE, caller, callees[i % 3], s.chance(0.7), s.between(5, 200));
    const first = run(PROTECTED).warnings;
    expect(first.length).toBeGreaterThan(2);
    expect(run(PROTECTED).warnings).toEqual(first);
  });

  it('remembers a warning given before a restart (knowCalleeWarned)', () => {
    const call: CarrierEvent = { type: 'call', at: start, caller, callee: callees[0], answered: true, durationSec: 60 };
    const restarted = (warnedBefore: boolean) => {
      const engine = new AnalysisEngine({ policy: PROTECTED, carrier: 'CTCC' });
      s.sorted().forEach((e: CarrierEvent) => engine.process(e));
      engine.primary.impose(msisdnKey(caller), caller, Action.Warn, ReasonCode.NewNumber, start - 1);
      if (warnedBefore) engine.knowCalleeWarned(callees[0], start - HOUR);
      return engine.process(call).calleeWarnings;
    };
    expect(restarted(false)).toHaveLength(1);
    expect(restarted(true)).toBeUndefined();
  });
});

describe('what the callee and the caller are told', () => {
  const at = cst('2024-03-04T09:05');
  const caller = '+8613300000041' as Msisdn;

  it('tells the callee the call may be fraud and where to call, in Chinese and English, never why', () => {
    const text = calleeWarningText({ at, caller });
    expect(text.zh).toBe(
      '【反诈提醒】您于2024-03-04 09:05接听的来自+8613300000041的来电可能涉嫌诈骗。' +
        '请勿透露验证码、银行卡密码等信息，勿向陌生人转账汇款。如有疑问，请拨打全国反诈专线96110。',
    );
    expect(text.en).toContain('a call you just received from +8613300000041 (2024-03-04 09:05, China time) may be');
    expect(text.en).toContain('the anti-fraud hotline 96110');
  });

  it('tells a warned number its calls to strangers are labelled, only when the policy labels them', () => {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY_V2, carrier: 'CTCC' });
    const warn = engine.primary.impose(msisdnKey(caller), caller, Action.Warn, ReasonCode.CorroboratedReports, at);
    if (!warn) throw new Error('no decision');
    expect(noticeText(warn, undefined, { labelsCallsToStrangers: true })).toContain(
      `目前服务不受影响。${CALLS_LABELLED.zh}`,
    );
    expect(noticeText(warn)).not.toContain(CALLS_LABELLED.zh);
    const restrict = engine.primary.impose(msisdnKey(caller), caller, Action.Restrict, ReasonCode.Directive, at + 1);
    if (!restrict) throw new Error('no decision');
    expect(noticeText(restrict, undefined, { labelsCallsToStrangers: true })).toBe(noticeText(restrict));
  });
});
