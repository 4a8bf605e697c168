import { AnalysisEngine, KNOWN_CONTACT_DAYS, msisdnKey } from './engine';
import { cst, DAY, Scenario } from './fixtures/scenario';
import { DEFAULT_POLICY, NAIVE_POLICY, validatePolicy } from './policy';
import { RULE_DEFAULTS, rulesOf } from './rules';
import { normaliseMsisdn, isServiceNumber } from '../msisdn';
import { DEFAULT_LAYOUT } from './activity-store';

describe('essentials: the service numbers call setup always allows', () => {
  it('default, when the policy names none, to the emergency, anti-fraud and carrier service numbers', () => {
    const defaults = ['110', '119', '120', '122', '12110', '96110', '12381', '12321', '10086', '10010', '10000'];
    expect(RULE_DEFAULTS.essentials).toEqual([...defaults, '10099']);
    for (const policy of [DEFAULT_POLICY, NAIVE_POLICY])
      expect([...rulesOf(policy).essentials]).toEqual(RULE_DEFAULTS.essentials);
  });

  it('are set in the policy: its list replaces the defaults', () => {
    const policy = validatePolicy({ ...DEFAULT_POLICY, essentials: ['110', '120', '95555'] });
    expect([...rulesOf(policy).essentials]).toEqual(['110', '120', '95555']);
  });

  it.each([
    ['not a list', '110', 'policy.essentials', 'must be a list of service numbers'],
    ['a number, not a string', [110], 'policy.essentials[0]', 'must be a service number of 3 to 6 digits'],
    ['too short', ['110', '12'], 'policy.essentials[1]', 'must be a service number of 3 to 6 digits'],
    ['a mobile number', ['13800000000'], 'policy.essentials[0]', 'must be a service number'],
    ['with a plus', ['+110'], 'policy.essentials[0]', 'must be a service number'],
  ])('are refused when %s, the field named', (_case, essentials, field, reason) => {
    const bad = () => validatePolicy({ ...DEFAULT_POLICY, essentials });
    expect(bad).toThrow(`${field}: `);
    expect(bad).toThrow(reason);
  });

  it('are dialled as 3 to 6 digits, nothing else', () => {
    for (const ok of ['110', '12110', '96110', '123456']) expect(isServiceNumber(ok)).toBe(true);
    for (const bad of ['', '11', '1234567', '11O', '１１０', '+110', ' 110']) expect(isServiceNumber(bad)).toBe(false);
  });
});

describe('knows: whether two numbers were in contact within 30 days', () => {
  const start = cst('2024-03-01T10:00');
  let s: Scenario;
  let engine: AnalysisEngine;
  let me: ReturnType<Scenario['n']>;

  beforeEach(() => {
    s = new Scenario(12);
    me = s.subscriber('13300000012', cst('2015-01-01T00:00'));
    engine = new AnalysisEngine({ policy: DEFAULT_POLICY, carrier: 'CTCC' });
  });
  const feed = () => s.sorted().forEach((e) => engine.process(e));

  it('counts a number the subscriber called or texted, and one that called it, either way round', () => {
    const called = s.n('13800000001');
    const texted = s.n('13800000002');
    const caller = s.n('13800000003');
    const stranger = s.n('13800000004');
    s.call(start, me, called, true, 60);
    s.sms(start + 1000, me, texted);
    s.call(start + 2000, caller, me, true, 30);
    feed();
    const now = start + DAY;
    for (const peer of [called, texted, caller]) {
      expect(engine.knows(me, peer, now)).toBe(true);
      expect(engine.knows(peer, me, now)).toBe(true);
    }
    expect(engine.knows(me, stranger, now)).toBe(false);
    expect(engine.knows(stranger, me, now)).toBe(false);
    // A number nobody has heard of at all.
    expect(engine.knows(normaliseMsisdn('13900000000', 't'), stranger, now)).toBe(false);
  });

  it(`forgets a contact older than ${KNOWN_CONTACT_DAYS} days`, () => {
    const friend = s.n('13800000005');
    const neighbour = s.subscriber('13300000013', cst('2015-01-01T00:00'));
    s.call(start, me, friend, true, 60);
    s.call(start, neighbour, me, true, 60);
    feed();
    expect(engine.knows(me, friend, start + 29 * DAY)).toBe(true);
    expect(engine.knows(me, neighbour, start + 29 * DAY)).toBe(true);
    expect(engine.knows(me, friend, start + 31 * DAY)).toBe(false);
    expect(engine.knows(me, neighbour, start + 31 * DAY)).toBe(false);
  });

  it('reaches as far as the memory does: the last calls made, and the peer’s own memory when it is ours', () => {
    const friend = s.n('13800000006');
    const neighbour = s.subscriber('13300000014', cst('2015-01-01T00:00'));
    s.call(start, me, friend, true, 60);
    s.call(start, me, neighbour, true, 60);
    for (let i = 0; i < DEFAULT_LAYOUT.outbound; i++)
      s.call(start + (i + 1) * 3_600_000, me, s.n(`1390000${String(i).padStart(4, '0')}`), true, 60);
    feed();
    const now = start + 3 * DAY;
    // The outbound ring has moved on past the friend on another network: no longer known.
    expect(engine.knows(me, friend, now)).toBe(false);
    // Our neighbour remembers who called it.
    expect(engine.knows(me, neighbour, now)).toBe(true);
  });

  it('reads keys digit by digit, as the number they always were', () => {
    const n = normaliseMsisdn('+8619112345678', 't');
    expect(msisdnKey(n)).toBe(8619112345678);
    expect(msisdnKey(normaliseMsisdn('+447911123456', 't'))).toBe(Number('447911123456'));
  });
});
