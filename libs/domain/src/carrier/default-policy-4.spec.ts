import type { Msisdn } from '../msisdn';
import { judgeCall } from './call-verdict';
import { AnalysisEngine } from './engine';
import type { CarrierEvent } from './events';
import {
  ARTICLE_PEOPLE,
  cellCrew,
  falseReportAttack,
  FRAUD_PATTERNS,
  reportsWithoutContact,
  runAtCallSetup as run,
  scamReportedFromOtherNetworks,
  STAYING_PEOPLE,
  touristCoach,
  type Contact,
} from './fixtures';
import { cst, DAY } from './fixtures/scenario';
import type { Decision } from './ladder';
import { Action, DEFAULT_POLICY_V3, DEFAULT_POLICY_V4, ladderLevel, validatePolicy } from './policy';
import { ReasonCode } from './reasons';

const level = (a: Action) => ladderLevel(a);
const RESTRICT = level(Action.Restrict);

const CAUGHT = [...FRAUD_PATTERNS, cellCrew, scamReportedFromOtherNetworks];

describe('default@4: labels before it restricts', () => {
  it('is valid, and default@3 with calleeProtection.labelFirst only', () => {
    expect(validatePolicy(JSON.parse(JSON.stringify(DEFAULT_POLICY_V4)))).toEqual(DEFAULT_POLICY_V4);
    const { version, description, calleeProtection, ...rest } = DEFAULT_POLICY_V4;
    const { version: v3, description: d3, calleeProtection: c3, ...rest3 } = DEFAULT_POLICY_V3;
    expect([version, v3]).toEqual([4, 3]);
    expect(description).not.toBe(d3);
    expect(rest).toEqual(rest3);
    expect(calleeProtection).toEqual({ ...c3, labelFirst: true });
    expect(c3).not.toHaveProperty('labelFirst');
  });

  it.each([...ARTICLE_PEOPLE, ...STAYING_PEOPLE, reportsWithoutContact, falseReportAttack].map((f) => [f().name, f]))(
    'never restricts %s',
    (_name, make) => {
      const { subjects, firstRestrict } = run(make(), DEFAULT_POLICY_V4);
      for (const m of subjects) expect(firstRestrict(m)).toBeUndefined();
    },
  );

  it('leaves a coach of 40 tourists passing a listed cell alone', () => {
    expect(run(touristCoach(), DEFAULT_POLICY_V4).decisions).toEqual([]);
  });

  it.each(CAUGHT.map((f) => [f().name, f] as const))(
    'catches %s, a call to a stranger labelled (or a text sent) at WARN first, by the first such after default@3',
    (_name, make) => {
      const fixture = make();
      const ours = run(fixture, DEFAULT_POLICY_V4);
      const before = run(fixture, DEFAULT_POLICY_V3);
      for (const m of ours.subjects) {
        const restrict = ours.firstRestrict(m);
        expect(restrict).toBeDefined();
        const at = (restrict as Decision).at;
        expect(restrict?.previous).toBe(Action.Warn);
        const warnedAt = ours.decisions.filter((d) => d.msisdn === m && d.action === Action.Warn && d.at <= at).at(-1)
          ?.at as number;
        // Since it was warned, one of its calls to a stranger was labelled at call setup (or it sent a text, which
        // nothing labels), before or with the contact that restricted it.
        const marked = ours.contacts.find((c) => c.from === m && c.at >= warnedAt && (c.labelled || c.sms));
        expect(marked?.at).toBeLessThanOrEqual(at);
        // No later than that first marked contact, or default@3's own restriction if that came later.
        const was = before.firstRestrict(m)?.at as number;
        expect(was).toBeDefined();
        // Where default@3 jumped past WARN, default@4 stepped to WARN then, saying why (LABEL_FIRST).
        if (level(before.firstRestrict(m)?.previous as Action) < level(Action.Warn))
          expect(ours.decisions.find((d) => d.msisdn === m && d.at === was)).toMatchObject({
            action: Action.Warn,
            reasons: expect.arrayContaining([ReasonCode.LabelFirst]),
          });
        expect(at).toBeLessThanOrEqual(Math.max(was, (marked as Contact).at));
      }
    },
  );

  it('labels every call to a stranger from WARN on, the restricting call included', () => {
    const fixture = FRAUD_PATTERNS[0]();
    const { contacts, firstRestrict, decisions } = run(fixture, DEFAULT_POLICY_V4);
    const warnedAt = decisions.find((d) => d.msisdn === fixture.subject && d.action === Action.Warn)?.at as number;
    const restrictAt = firstRestrict(fixture.subject)?.at as number;
    expect(warnedAt).toBeLessThan(restrictAt);
    const labelled = contacts.filter((c) => c.from === fixture.subject && c.labelled);
    expect(labelled.length).toBeGreaterThan(0);
    expect(labelled.every((c) => c.at > warnedAt && c.at <= restrictAt)).toBe(true);
  });

  it('holds at WARN a number whose evidence supports more while it calls only people it knows', () => {
    const fixture = FRAUD_PATTERNS[0]();
    const first = run(fixture, DEFAULT_POLICY_V4);
    const m = fixture.subject as Msisdn;
    expect(first.firstRestrict(m)).toBeDefined();
    // A week later (the restriction lapsed to WARN after 72 h), it calls the same people again, as fast.
    const engine = first.engine;
    const shift = 7 * DAY;
    const again = fixture.events
      .filter((e): e is CarrierEvent & { type: 'call' } => e.type === 'call' && e.caller === m)
      .map((e) => ({ ...e, at: e.at + shift }));
    const later = again.flatMap((e) => engine.process(e).decisions).filter((d) => d.msisdn === m);
    expect(later.filter((d) => level(d.action) >= RESTRICT)).toEqual([]);
    expect(later[0]).toMatchObject({ action: Action.Warn, reasons: [ReasonCode.TermLapsed] });
    // RESTRICT would not have blocked these calls anyway: they are to known contacts.
    expect(again.every((e) => judgeCall(engine, m, e.callee, e.at + 1).verdict === 'ALLOW')).toBe(true);
  });

  it('acts at once on orders: a directive and a police confirmation suspend without a label first', () => {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY_V4 });
    const at = cst('2024-03-01T10:00');
    const [a, b] = ['+8613800000001', '+8613800000002'] as Msisdn[];
    for (const msisdn of [a, b])
      engine.process({
        type: 'subscriber',
        at,
        msisdn,
        carrier: 'CTCC',
        activatedAt: cst('2020-01-01T00:00'),
        realNameVerified: true,
      } as CarrierEvent);
    expect(engine.directive(a, Action.Suspend, at + 1000).decisions[0]).toMatchObject({
      action: Action.Suspend,
      previous: Action.None,
    });
    expect(engine.registryChanged(b, 'CONFIRMED', at + 2000).decisions[0]).toMatchObject({
      action: Action.Suspend,
      previous: Action.None,
    });
  });

  it('keeps a shadow ladder’s labels apart: default@4 in shadow decides as it does active', () => {
    for (const make of CAUGHT) {
      const fixture = make();
      const alone = run(fixture, DEFAULT_POLICY_V4).decisions;
      const shadowed = run(fixture, DEFAULT_POLICY_V3, DEFAULT_POLICY_V4).decisions.filter((d) => d.shadow);
      const moves = (ds: Decision[]) => ds.map((d) => [d.at, d.msisdn, d.previous, d.action, d.reasons.join()]);
      expect(moves(shadowed)).toEqual(moves(alone));
    }
  });

  it('decides the same on the same file twice', () => {
    for (const make of CAUGHT) {
      const fixture = make();
      expect(run(fixture, DEFAULT_POLICY_V4).decisions).toEqual(run(fixture, DEFAULT_POLICY_V4).decisions);
    }
  });
});
