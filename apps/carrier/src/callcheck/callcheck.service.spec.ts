import { carrier } from '@app/contracts';
import {
  Action,
  AnalysisEngine,
  DEFAULT_POLICY,
  msisdnKey,
  normaliseMsisdn,
  ReasonCode,
  UsageProfile,
  ValidationError,
  type EngineResult,
  type EngineView,
} from '@app/domain';
import type { AnalysisService } from '../analysis/analysis.service';
import { CallCheckService, CARRIER_WARNED, ESSENTIAL_NUMBER, KNOWN_CONTACT } from './callcheck.service';

const { CALL_VERDICT_ALLOW: ALLOW, CALL_VERDICT_LABEL: LABEL, CALL_VERDICT_BLOCK: BLOCK } = carrier.CallVerdict;

const DAY = 86_400_000;

describe(CallCheckService.name, () => {
  const at = Date.parse('2024-03-01T10:00:00+08:00');
  const n = (national: string) => normaliseMsisdn(national, 'test');
  const callee = '13800000000';
  let engine: AnalysisEngine;
  let sut: CallCheckService;

  beforeEach(() => {
    engine = new AnalysisEngine({ policy: DEFAULT_POLICY, carrier: 'CTCC' });
    for (const msisdn of ['13300000001', '13300000002', '13300000003', '13300000004']) {
      engine.process({
        type: 'subscriber',
        at: 0,
        msisdn: n(msisdn),
        carrier: 'CTCC',
        activatedAt: Date.parse('2020-01-01'),
        realNameVerified: true,
        profile: UsageProfile.None,
      });
    }
    sut = new CallCheckService({ state: engine as EngineView } as AnalysisService);
  });

  const step = (result: EngineResult) => result.decisions.map((d) => d.action);

  it('allows a number nobody marked, and labels one the registry suspects', () => {
    expect(sut.check('13300000001', callee)).toEqual({ verdict: ALLOW, reasons: [] });
    engine.registryChanged(n('13900000009'), 'SUSPECTED', at);
    expect(sut.check('+8613900000009', callee)).toEqual({ verdict: LABEL, reasons: ['REGISTRY_SUSPECTED'] });
  });

  it('blocks a caller our ladder suspends or restricts, and one the police confirmed', () => {
    expect(step(engine.directive(n('13300000001'), Action.Suspend, at))).toEqual([Action.Suspend]);
    expect(sut.check('13300000001', callee)).toEqual({ verdict: BLOCK, reasons: ['SUSPENDED'] });
    engine.primary.impose(msisdnKey(n('13300000002')), n('13300000002'), Action.Restrict, ReasonCode.Directive, at);
    expect(sut.check('13300000002', callee)).toEqual({ verdict: BLOCK, reasons: ['RESTRICTED'] });
    engine.registryChanged(n('13900000008'), 'CONFIRMED', at);
    expect(sut.check('13900000008', callee)).toEqual({ verdict: BLOCK, reasons: ['REGISTRY_CONFIRMED'] });
    // Our own subscriber confirmed by the police is also suspended by our ladder.
    expect(step(engine.registryChanged(n('13300000003'), 'CONFIRMED', at))).toEqual([Action.Suspend]);
    expect(sut.check('13300000003', callee)).toEqual({ verdict: BLOCK, reasons: ['SUSPENDED', 'REGISTRY_CONFIRMED'] });
  });

  it('allows a CLEARED number, unless our own ladder restricts it afterwards', () => {
    engine.directive(n('13300000004'), Action.Suspend, at);
    expect(step(engine.registryChanged(n('13300000004'), 'CLEARED', at + 1000))).toEqual([Action.Restore]);
    expect(sut.check('13300000004', callee)).toEqual({ verdict: ALLOW, reasons: ['REGISTRY_CLEARED'] });
    engine.directive(n('13300000004'), Action.Suspend, at + 2000);
    expect(sut.check('13300000004', callee)).toEqual({ verdict: BLOCK, reasons: ['SUSPENDED', 'REGISTRY_CLEARED'] });
  });

  it('answers from prebuilt, frozen responses: nothing is allocated per check', () => {
    const first = sut.check('13300000001', callee);
    expect(sut.check('+8613300000001', '+8613800000000')).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.reasons)).toBe(true);
  });

  describe('essentials and known contacts', () => {
    const ESSENTIALS = ['110', '119', '120', '122', '12110', '96110', '12381', '12321', '10086', '10010', '10000'];
    const restricted = n('13300000001');
    const suspended = n('13300000002');
    const friend = '13800000001';
    const stranger = '13800000002';
    // Call setup reads contacts on the wall clock: this history is recent.
    const at = Date.now() - 60_000;

    beforeEach(() => {
      // The subscriber called a friend a week ago and was called by a neighbour (ours) yesterday.
      engine.process({
        type: 'call',
        at: at - 7 * DAY,
        caller: restricted,
        callee: n(friend),
        answered: true,
        durationSec: 90,
      });
      engine.process({
        type: 'call',
        at: at - DAY,
        caller: n('13300000003'),
        callee: restricted,
        answered: true,
        durationSec: 60,
      });
      engine.primary.impose(msisdnKey(restricted), restricted, Action.Restrict, ReasonCode.Directive, at);
      expect(step(engine.directive(suspended, Action.Suspend, at))).toEqual([Action.Suspend]);
    });

    it('allows every essential number under every step and registry mark, naming them', () => {
      engine.registryChanged(n('13900000001'), 'SUSPECTED', at);
      engine.registryChanged(n('13900000002'), 'CONFIRMED', at);
      engine.registryChanged(n('13900000003'), 'CLEARED', at);
      const callers: [string, string[]][] = [
        ['13300000004', []],
        ['13300000001', ['RESTRICTED']],
        ['13300000002', ['SUSPENDED']],
        ['13900000001', ['REGISTRY_SUSPECTED']],
        ['13900000002', ['REGISTRY_CONFIRMED']],
        ['13900000003', ['REGISTRY_CLEARED']],
      ];
      for (const [caller, marks] of callers)
        for (const number of [...ESSENTIALS, '10099'])
          expect(sut.check(caller, number)).toEqual({ verdict: ALLOW, reasons: [...marks, ESSENTIAL_NUMBER] });
      // Our police-confirmed subscriber is suspended by our ladder as well: still reaches 110.
      engine.registryChanged(n('13300000004'), 'CONFIRMED', at);
      expect(sut.check('13300000004', '110')).toEqual({
        verdict: ALLOW,
        reasons: ['SUSPENDED', 'REGISTRY_CONFIRMED', ESSENTIAL_NUMBER],
      });
    });

    it('takes the list from the policy: a number it leaves out is judged as any other', () => {
      const policy = { ...DEFAULT_POLICY, version: 9, essentials: ['110', '95555'] };
      engine = new AnalysisEngine({ policy, carrier: 'CTCC' });
      sut = new CallCheckService({ state: engine as EngineView } as AnalysisService);
      engine.process({
        type: 'subscriber',
        at: 0,
        msisdn: restricted,
        carrier: 'CTCC',
        activatedAt: 0,
        realNameVerified: true,
        profile: UsageProfile.None,
      });
      engine.primary.impose(msisdnKey(restricted), restricted, Action.Restrict, ReasonCode.Directive, at);
      expect(sut.check(restricted, '95555')).toEqual({ verdict: ALLOW, reasons: ['RESTRICTED', ESSENTIAL_NUMBER] });
      expect(sut.check(restricted, '10086')).toEqual({ verdict: BLOCK, reasons: ['RESTRICTED'] });
      expect(sut.check('13300000004', '10086')).toEqual({ verdict: ALLOW, reasons: [] });
    });

    it('lets a restricted caller reach known contacts, either direction, but not strangers', () => {
      expect(sut.check(restricted, friend)).toEqual({ verdict: ALLOW, reasons: ['RESTRICTED', KNOWN_CONTACT] });
      expect(sut.check(restricted, '13300000003')).toEqual({ verdict: ALLOW, reasons: ['RESTRICTED', KNOWN_CONTACT] });
      expect(sut.check(restricted, stranger)).toEqual({ verdict: BLOCK, reasons: ['RESTRICTED'] });
      // A suspected number's call still carries its label.
      engine.registryChanged(restricted, 'SUSPECTED', at);
      expect(sut.check(restricted, friend)).toEqual({
        verdict: LABEL,
        reasons: ['RESTRICTED', 'REGISTRY_SUSPECTED', KNOWN_CONTACT],
      });
    });

    it('blocks a suspended caller even to known contacts, and a police-confirmed one too', () => {
      engine.process({
        type: 'call',
        at: at - DAY,
        caller: suspended,
        callee: n(friend),
        answered: true,
        durationSec: 90,
      });
      expect(engine.knows(suspended, n(friend), Date.now())).toBe(true);
      expect(sut.check(suspended, friend)).toEqual({ verdict: BLOCK, reasons: ['SUSPENDED'] });
      engine.registryChanged(n('13900000002'), 'CONFIRMED', at);
      engine.process({
        type: 'call',
        at: at - DAY,
        caller: n('13900000002'),
        callee: n('13300000004'),
        answered: true,
        durationSec: 9,
      });
      expect(sut.check('13900000002', '13300000004')).toEqual({ verdict: BLOCK, reasons: ['REGISTRY_CONFIRMED'] });
    });

    it('never refuses a call for the callee’s own step: it judges the caller only', () => {
      expect(sut.check('13300000004', '13300000001')).toEqual({ verdict: ALLOW, reasons: [] });
      expect(sut.check('13300000004', '13300000002')).toEqual({ verdict: ALLOW, reasons: [] });
      engine.registryChanged(n('13300000003'), 'CONFIRMED', at);
      expect(sut.check('+8613800000009', '13300000003')).toEqual({ verdict: ALLOW, reasons: [] });
    });

    it('answers essentials and known contacts from prebuilt, frozen responses too', () => {
      const first = sut.check(restricted, '110');
      expect(sut.check('+8613300000001', '110')).toBe(first);
      const known = sut.check(restricted, friend);
      expect(sut.check('+8613300000001', '+86' + friend)).toBe(known);
      expect(Object.isFrozen(first) && Object.isFrozen(known.reasons)).toBe(true);
    });
  });

  it.each([
    ['caller', '', callee, 'a phone number is required'],
    ['caller', '１３３００００００01', callee, 'is not a phone number'],
    ['callee', '13300000001', '12', 'is not a phone number'],
    ['callee', '13300000001', '1234567', 'is not a phone number'],
    ['callee', '13300000001', '11O', 'is not a phone number'],
    ['callee', '13300000001', '+110', 'is not a phone number'],
    ['callee', '13300000001', '', 'a phone number is required'],
  ])('refuses a bad %s, naming it', (field, caller, to, reason) => {
    expect(() => sut.check(caller, to)).toThrow(ValidationError);
    expect(() => sut.check(caller, to)).toThrow(`${field}: `);
    expect(() => sut.check(caller, to)).toThrow(reason);
  });

  it('labels a warned caller’s calls to strangers under calleeProtection, from frozen responses', () => {
    engine.usePolicies({ ...DEFAULT_POLICY, version: 90, calleeProtection: {} });
    const warned = n('13300000002');
    engine.primary.impose(msisdnKey(warned), warned, Action.Warn, ReasonCode.CorroboratedReports, Date.now() - 1000);
    const labelled = sut.check('13300000002', callee);
    expect(labelled).toEqual({ verdict: LABEL, reasons: [CARRIER_WARNED] });
    expect(sut.check('+8613300000002', '+8613800000000')).toBe(labelled);
    expect(Object.isFrozen(labelled) && Object.isFrozen(labelled.reasons)).toBe(true);
    expect(sut.check('13300000002', '110')).toEqual({ verdict: ALLOW, reasons: [ESSENTIAL_NUMBER] });
    expect(sut.check('13300000001', callee)).toEqual({ verdict: ALLOW, reasons: [] });
  });
});
