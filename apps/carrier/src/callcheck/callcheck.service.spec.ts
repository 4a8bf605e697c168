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
import { CallCheckService } from './callcheck.service';

const { CALL_VERDICT_ALLOW: ALLOW, CALL_VERDICT_LABEL: LABEL, CALL_VERDICT_BLOCK: BLOCK } = carrier.CallVerdict;

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

  it.each([
    ['caller', '', callee, 'a phone number is required'],
    ['caller', '１３３００００００01', callee, 'is not a phone number'],
    ['callee', '13300000001', '12345', 'is not a phone number'],
  ])('refuses a bad %s, naming it', (field, caller, to, reason) => {
    expect(() => sut.check(caller, to)).toThrow(ValidationError);
    expect(() => sut.check(caller, to)).toThrow(`${field}: `);
    expect(() => sut.check(caller, to)).toThrow(reason);
  });
});
