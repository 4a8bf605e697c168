import { AnalysisEngine, msisdnKey } from './engine';
import type { CarrierEvent } from './events';
import { fakeCourier } from './fixtures/fraud';
import { cst, DAY, HOUR } from './fixtures/scenario';
import type { Decision } from './ladder';
import type { Msisdn } from '../msisdn';
import { noticeText } from './notice';
import { Action, DEFAULT_POLICY, DEFAULT_POLICY_V2, validatePolicy, type PolicyDocument } from './policy';
import { ReasonCode } from './reasons';
import { decisionLine, eventLine, Replayer } from './replay';

/** `default` with terms: a restriction stands 72 h, a suspension 30 days, each renewed at most 3 times. */
const TERMS_POLICY: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY,
  name: 'terms-test',
  version: 1,
  terms: { restrictHours: 72, suspendDays: 30, maxRenewals: 3 },
});

const courier = fakeCourier();
const gang = courier.subject;
const lastCall = Math.max(...courier.events.map((e) => e.at));
const someoneElse = courier.events.find((e) => e.type === 'subscriber' && e.msisdn !== gang) as CarrierEvent & {
  type: 'subscriber';
};

/** An event of another number: it moves the engine's clock and nothing about the courier. */
function tick(at: number): CarrierEvent {
  return { type: 'location', at, msisdn: someoneElse.msisdn, cell: '460-11-99999-1' as never };
}

function play(engine: AnalysisEngine, events: readonly CarrierEvent[]): Decision[] {
  return events.flatMap((e) => engine.process(e).decisions);
}

const ofGang = (decisions: Decision[]) => decisions.filter((d) => d.msisdn === gang && !d.shadow);

const calls = courier.events.filter((e): e is CarrierEvent & { type: 'call' } => e.type === 'call');

/** The courier's round of calls again from `start`, to people it never called (round 1, 2, …: new numbers each). */
function roundOfCalls(start: number, round: number): CarrierEvent[] {
  const first = calls[0].at;
  const callee = (msisdn: string) => msisdn.replace('1370015', `13${70 + round}015`) as never;
  return calls.map((e) => ({ ...e, at: e.at - first + start, callee: callee(e.callee) }));
}

/**
 * The courier's first round, then a new round 40 h after each restriction or renewal (the second half of a 72 h
 * term), `rounds` times: each renews the term, until the renewals run out.
 */
function withRenewals(engine: AnalysisEngine, rounds: number): Decision[] {
  const decisions = ofGang(play(engine, courier.events));
  for (let round = 1; round <= rounds; round++) {
    const last = decisions.filter((d) => d.action === Action.Restrict).at(-1) as Decision;
    decisions.push(...ofGang(play(engine, roundOfCalls(last.at + 40 * HOUR, round))));
  }
  return decisions;
}

describe('terms that lapse (policy.terms)', () => {
  it('restricts the courier until a term; its own calls right after spend no renewal', () => {
    const decisions = ofGang(play(new AnalysisEngine({ policy: TERMS_POLICY }), courier.events));
    const restrictions = decisions.filter((d) => d.action === Action.Restrict);
    // The calls after the restriction fall in the first half of its term: what the term already answers.
    expect(restrictions).toHaveLength(1);
    expect(restrictions[0].previous).not.toBe(Action.Restrict);
    expect(restrictions[0].term).toEqual({ until: restrictions[0].at + 72 * HOUR, renewals: 0 });
    // Only a RESTRICT or SUSPEND has a term: the MONITOR and WARN before it have none.
    const others = decisions.filter((d) => d.action !== Action.Restrict);
    expect(others.length).toBeGreaterThan(0);
    expect(others.map((d) => d.term)).toEqual(others.map(() => undefined));
  });

  it('renews the term on new evidence in its second half, from that evidence, at most 3 times', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    const decisions = withRenewals(engine, 4);
    const [first, ...renewals] = decisions.filter((d) => d.action === Action.Restrict);
    decisions.push(...ofGang(play(engine, [tick((renewals[2]?.term?.until ?? 0) + HOUR)])));
    expect(first.term).toEqual({ until: first.at + 72 * HOUR, renewals: 0 });
    // Rounds 1 to 3 renew; round 4 finds the renewals spent, and the term runs out as it stands.
    expect(renewals.map((d) => d.previous)).toEqual([Action.Restrict, Action.Restrict, Action.Restrict]);
    expect(renewals.map((d) => d.term)).toEqual(renewals.map((d, i) => ({ until: d.at + 72 * HOUR, renewals: i + 1 })));
    renewals.forEach((d, i) => expect(d.at).toBeGreaterThanOrEqual((i === 0 ? first : renewals[i - 1]).at + 40 * HOUR));
    const lapse = decisions.find((d) => d.reasons.includes(ReasonCode.TermLapsed));
    expect(lapse).toMatchObject({ action: Action.Warn, at: renewals[2].term?.until });
  });

  it('steps down to WARN with TERM_LAPSED after 72 h without new evidence, dated at the term’s end', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    const before = ofGang(play(engine, courier.events));
    const last = before[before.length - 1];
    const until = (last.term as { until: number }).until;
    expect(until).toBe(last.at + 72 * HOUR);
    // Nothing lapses before the end …
    expect(ofGang(play(engine, [tick(until - 1)]))).toEqual([]);
    expect(engine.levelOf(gang, until - 1)).toBe(Action.Restrict);
    // … and the first event at or past it takes the lapse, whoever's event it is.
    const lapsed = ofGang(play(engine, [tick(until + 5 * HOUR)]));
    expect(lapsed).toEqual([
      expect.objectContaining({
        at: until,
        action: Action.Warn,
        previous: Action.Restrict,
        reasons: [ReasonCode.TermLapsed],
      }),
    ]);
    expect(lapsed[0].term).toBeUndefined();
    expect(engine.levelOf(gang, until + 5 * HOUR)).toBe(Action.Warn);
    // A WARN, like any other, lapses after the quiet week.
    expect(engine.levelOf(gang, until + 8 * DAY)).toBe(Action.None);
    // Taken once.
    expect(ofGang(play(engine, [tick(until + 6 * HOUR)]))).toEqual([]);
  });

  it('reads the term as ended before the lapse is taken (call setup, explanations)', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    const before = withRenewals(engine, 3);
    const until = (before[before.length - 1].term as { until: number }).until;
    expect(engine.levelOf(gang, until)).toBe(Action.Warn);
    expect(engine.primary.standingOf(msisdnKey(gang))).toMatchObject({ level: Action.Restrict, renewals: 3 });
  });

  it('restricts afresh on new evidence after a lapse, with a new term and renewals from 0', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    play(engine, courier.events);
    const shift = 5 * DAY;
    // The same dialling, to new strangers: default labels a call to a stranger before it restricts again.
    const again = courier.events
      .filter((e) => e.type === 'call')
      .map((e, i) => ({ ...e, at: e.at + shift, callee: `+861399900${String(i).padStart(4, '0')}` as Msisdn }));
    const decisions = ofGang(play(engine, again));
    expect(decisions[0]).toMatchObject({ action: Action.Warn, reasons: [ReasonCode.TermLapsed] });
    const restrict = decisions.find((d) => d.action === Action.Restrict && d.previous === Action.Warn);
    expect(restrict?.term).toEqual({ until: (restrict as Decision).at + 72 * HOUR, renewals: 0 });
  });

  it('replays the same file to the same decisions, TERM_LAPSED included', () => {
    const lines = [...courier.events, tick(lastCall + 10 * DAY)].map(eventLine);
    const replay = () => {
      const replayer = new Replayer({ policy: TERMS_POLICY });
      return lines.flatMap((line) => replayer.feed(line)).map(decisionLine);
    };
    const first = replay();
    expect(first.some((line) => line.includes('"TERM_LAPSED"'))).toBe(true);
    expect(replay()).toEqual(first);
  });

  it('keeps the expiry and renewals across a restart, from the latest stored decision', () => {
    const live = new AnalysisEngine({ policy: TERMS_POLICY });
    const stored = withRenewals(live, 3);
    const latest = stored[stored.length - 1];
    const restarted = new AnalysisEngine({ policy: TERMS_POLICY });
    play(
      restarted,
      courier.events.filter((e) => e.type === 'subscriber' || e.type === 'high_risk_cell'),
    );
    restarted.resume(gang, latest.action, latest.at, [], latest.term);
    expect(restarted.primary.standingOf(msisdnKey(gang))).toMatchObject({
      termEnds: live.primary.standingOf(msisdnKey(gang))?.termEnds,
      renewals: 3,
    });
    const later = [tick(latest.at + 10 * DAY)];
    expect(ofGang(play(restarted, later))).toEqual(ofGang(play(live, later)));
  });

  it('never lapses a number the registry lists as CONFIRMED', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    play(engine, courier.events);
    const confirmed = engine.registryChanged(gang, 'CONFIRMED', lastCall + HOUR).decisions;
    expect(confirmed.every((d) => d.term === undefined)).toBe(true);
    const step = engine.levelOf(gang, lastCall + HOUR);
    expect([Action.Restrict, Action.Suspend]).toContain(step);
    expect(ofGang(play(engine, [tick(lastCall + 40 * DAY)]))).toEqual([]);
    expect(engine.levelOf(gang, lastCall + 40 * DAY)).toBe(step);
  });

  it('never lapses a term that was running when the registry confirmed the number', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    const before = ofGang(play(engine, courier.events));
    const until = (before[before.length - 1].term as { until: number }).until;
    engine.knowRegistryStatus(gang, 'CONFIRMED');
    expect(engine.levelOf(gang, until + HOUR)).toBe(Action.Restrict);
    expect(ofGang(play(engine, [tick(until + HOUR)]))).toEqual([]);
    expect(engine.levelOf(gang, until + 40 * DAY)).toBe(Action.Restrict);
  });

  it('never lapses a directive suspension', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    play(engine, courier.events);
    const [suspension] = engine.directive(gang, Action.Suspend, lastCall + HOUR).decisions;
    expect(suspension).toMatchObject({ action: Action.Suspend, reasons: [ReasonCode.Directive] });
    expect(suspension.term).toBeUndefined();
    expect(ofGang(play(engine, [tick(lastCall + 60 * DAY)]))).toEqual([]);
    expect(engine.levelOf(gang, lastCall + 60 * DAY)).toBe(Action.Suspend);
  });

  it('keeps today’s decisions under a policy without terms', () => {
    const decisions = ofGang(
      play(new AnalysisEngine({ policy: DEFAULT_POLICY_V2 }), [...courier.events, tick(cst('2025-01-01T00:00'))]),
    );
    expect(decisions.filter((d) => d.action === Action.Restrict)).toHaveLength(1);
    expect(decisions.every((d) => d.term === undefined && !d.reasons.includes(ReasonCode.TermLapsed))).toBe(true);
  });

  it('tells the subscriber until when, of a renewal, and of the lapse', () => {
    const engine = new AnalysisEngine({ policy: TERMS_POLICY });
    const decisions = withRenewals(engine, 1);
    decisions.push(...ofGang(play(engine, [tick(decisions[decisions.length - 1].at + 10 * DAY)])));
    const [first, renewal] = decisions.filter((d) => d.action === Action.Restrict);
    const lapse = decisions.find((d) => d.reasons.includes(ReasonCode.TermLapsed)) as Decision;
    const minute = (ms: number) => new Date(ms + 8 * HOUR).toISOString().replace('T', ' ').slice(0, 16);
    expect(noticeText(first)).toContain(`被限制呼出，期限至${minute(first.term?.until ?? 0)}`);
    expect(noticeText(renewal)).toContain(`限制呼出延长至${minute(renewal.term?.until ?? 0)}（第1次延期）`);
    expect(noticeText(lapse)).toContain(`限制呼出已于${minute(lapse.at)}期满解除`);
  });

  it('validates the section, naming the field', () => {
    const withTerms = (terms: unknown) => () => validatePolicy({ ...DEFAULT_POLICY, terms });
    expect(withTerms({ restrictHours: 0 })).toThrow('policy.terms.restrictHours');
    expect(withTerms({ suspendDays: -1 })).toThrow('policy.terms.suspendDays');
    expect(withTerms({ maxRenewals: 1.5 })).toThrow('policy.terms.maxRenewals');
    expect(withTerms({ restrictDays: 3 })).toThrow('policy.terms.restrictDays');
    expect(withTerms({ restrictHours: 72 })).not.toThrow();
  });
});
