import { ValidationError } from '../errors';
import { AnalysisEngine, msisdnKey } from './engine';
import type { CarrierEvent } from './events';
import { reportedWorker, TEN_YEARS_REAL_NAME, type Holding } from './fixtures/long-held';
import { cst, DAY, HOUR, MINUTE } from './fixtures/scenario';
import type { Decision } from './ladder';
import { noticeText } from './notice';
import {
  Action,
  DEFAULT_POLICY_V2,
  DEFAULT_POLICY_V1,
  NAIVE_POLICY,
  validatePolicy,
  type PolicyDocument,
} from './policy';
import { ReasonCode } from './reasons';
import { decisionLine, eventLine, Replayer } from './replay';
import { rulesOf } from './rules';

/** `default` with a person's review of long-held numbers (tenureDays left to its default, 365). */
const REVIEW_POLICY: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY_V2,
  name: 'review-test',
  version: 1,
  humanReview: {},
});

const worker = reportedWorker();
const subject = worker.subject;
const [, suspendingReport] = worker.reportedAt;

function play(engine: AnalysisEngine, events: readonly CarrierEvent[]): Decision[] {
  return events.flatMap((e) => engine.process(e).decisions);
}

const ofSubject = (decisions: Decision[], shadow = false) =>
  decisions.filter((d) => d.msisdn === subject && d.shadow === shadow);

/** The worker's whole story under `policy`, held as `holding` says: the engine and the subject's decisions. */
function story(policy: PolicyDocument, holding?: Holding, shadow?: PolicyDocument) {
  const engine = new AnalysisEngine({ policy, shadow });
  const all = play(engine, reportedWorker(holding).events);
  return { engine, decisions: ofSubject(all), shadowDecisions: ofSubject(all, true) };
}

/** One more report against the subject, from someone it called, `after` the suspending one. */
function laterReport(after: number, reporter: string): CarrierEvent {
  return { type: 'report', at: suspendingReport + after, reporter, reported: subject, category: 'fraud' } as never;
}
const answeredBy = worker.events.flatMap((e) =>
  e.type === 'call' && e.caller === subject && e.answered ? [e.callee] : [],
);

describe('people review the old numbers (policy.humanReview)', () => {
  it('holds back the suspension of a number held ten years under a real name: RESTRICT and REVIEW_PENDING', () => {
    const { engine, decisions } = story(REVIEW_POLICY);
    const last = decisions.at(-1) as Decision;
    expect(decisions.map((d) => d.action)).not.toContain(Action.Suspend);
    expect(last).toMatchObject({
      at: suspendingReport,
      action: Action.Restrict,
      previous: Action.Restrict,
      reviewRequested: true,
    });
    // The assessment's own reasons, then REVIEW_PENDING.
    expect(last.reasons.at(-1)).toBe(ReasonCode.ReviewPending);
    expect(last.reasons).toEqual(expect.arrayContaining([ReasonCode.CorroboratedReports]));
    expect(engine.levelOf(subject, suspendingReport + HOUR)).toBe(Action.Restrict);
    expect(engine.primary.standingOf(msisdnKey(subject))?.reviewSince).toBe(suspendingReport);
    // The same evidence under `default` suspends: the score and reasons are the suspension's.
    const suspended = story(DEFAULT_POLICY_V2).decisions.at(-1) as Decision;
    expect(suspended).toMatchObject({ at: suspendingReport, action: Action.Suspend });
    expect(last.score).toBe(suspended.score);
    expect(last.reasons.slice(0, -1)).toEqual(suspended.reasons);
    expect(suspended.reviewRequested).toBeUndefined();
  });

  it('steps a number straight from below RESTRICT to RESTRICT for review when the evidence jumps to SUSPEND', () => {
    // RESTRICT and SUSPEND at one score: the calls alone stay at WARN, the reports take it to SUSPEND at once.
    const ladder = { ...REVIEW_POLICY.ladder, restrict: 0.85, suspend: 0.85 };
    const { engine, decisions } = story(validatePolicy({ ...REVIEW_POLICY, name: 'review-jump', ladder }));
    expect(decisions.filter((d) => d.action === Action.Restrict)).toEqual([
      expect.objectContaining({ previous: Action.Warn, reviewRequested: true }),
    ]);
    expect(decisions.at(-1)?.reasons).toContain(ReasonCode.ReviewPending);
    expect(engine.levelOf(subject, suspendingReport)).toBe(Action.Restrict);
  });

  it.each([
    ['a new number (held two months)', { activatedAt: cst('2024-01-02T10:00'), realNameVerified: true }],
    ['an old number not registered under a real name', { ...TEN_YEARS_REAL_NAME, realNameVerified: false }],
  ])('suspends %s as before, without a review', (_case, holding) => {
    const { engine, decisions } = story(REVIEW_POLICY, holding);
    expect(decisions.at(-1)).toMatchObject({ at: suspendingReport, action: Action.Suspend, previous: Action.Restrict });
    expect(decisions.some((d) => d.reasons.includes(ReasonCode.ReviewPending) || d.reviewRequested)).toBe(false);
    expect(engine.primary.standingOf(msisdnKey(subject))?.reviewSince).toBeUndefined();
  });

  it('counts tenure on event time: held exactly tenureDays is enough, a minute less is not', () => {
    const policy = validatePolicy({ ...REVIEW_POLICY, humanReview: { tenureDays: 60 } });
    expect(rulesOf(policy).reviewTenureMs).toBe(60 * DAY);
    expect(rulesOf(REVIEW_POLICY).reviewTenureMs).toBe(365 * DAY);
    const held = (activatedAt: number) => story(policy, { activatedAt, realNameVerified: true }).decisions.at(-1);
    expect(held(suspendingReport - 60 * DAY)).toMatchObject({ action: Action.Restrict, reviewRequested: true });
    expect(held(suspendingReport - 60 * DAY + MINUTE)).toMatchObject({ action: Action.Suspend });
  });

  it('opens one review per number: later evidence while it is open asks for no second one', () => {
    const { engine, decisions } = story(REVIEW_POLICY);
    const later = ofSubject(
      play(engine, [laterReport(10 * MINUTE, answeredBy[2]), laterReport(20 * MINUTE, answeredBy[3])]),
    );
    expect(later.filter((d) => d.reviewRequested)).toEqual([]);
    expect(later.map((d) => d.action).filter((a) => a !== Action.Restrict)).toEqual([]);
    expect(decisions.filter((d) => d.reviewRequested)).toHaveLength(1);
    expect(engine.levelOf(subject, suspendingReport + HOUR)).toBe(Action.Restrict);
    expect(engine.primary.standingOf(msisdnKey(subject))?.reviewSince).toBe(suspendingReport);
  });

  it('keeps the RESTRICT’s term as usual under a policy with terms, and the review through its lapse', () => {
    const policy = validatePolicy({ ...REVIEW_POLICY, terms: { restrictHours: 72 } });
    const { engine, decisions } = story(policy);
    const review = decisions.find((d) => d.reviewRequested) as Decision;
    const restricted = decisions.find((d) => d.action === Action.Restrict && d.previous !== Action.Restrict);
    // Opened on a number already restricted: the term it had stands.
    expect(review.term).toEqual(restricted?.term);
    const until = (review.term as { until: number }).until;
    expect(engine.levelOf(subject, until + HOUR)).toBe(Action.Warn);
    expect(engine.reviewDecided(subject, 'SUSPEND', until + HOUR)).toMatchObject({
      review: 'DECIDED',
      decisions: [
        expect.objectContaining({ at: until, action: Action.Warn, reasons: [ReasonCode.TermLapsed] }),
        expect.objectContaining({
          action: Action.Suspend,
          previous: Action.Warn,
          reasons: [ReasonCode.ReviewConfirmed],
        }),
      ],
    });
  });

  it('a person confirms: SUSPEND with REVIEW_CONFIRMED, no term; the review is closed', () => {
    const policy = validatePolicy({ ...REVIEW_POLICY, terms: { restrictHours: 72, suspendDays: 30 } });
    const { engine } = story(policy);
    const at = suspendingReport + 2 * HOUR;
    const result = engine.reviewDecided(subject, 'SUSPEND', at);
    expect(result.review).toBe('DECIDED');
    expect(result.decisions).toEqual([
      expect.objectContaining({
        at,
        action: Action.Suspend,
        previous: Action.Restrict,
        reasons: [ReasonCode.ReviewConfirmed],
        shadow: false,
      }),
    ]);
    expect(result.decisions[0].term).toBeUndefined();
    expect(engine.levelOf(subject, at + 90 * DAY)).toBe(Action.Suspend);
    expect(engine.primary.standingOf(msisdnKey(subject))?.reviewSince).toBeUndefined();
    // Decided once: a second answer finds no open review.
    expect(engine.reviewDecided(subject, 'RESTORE', at + MINUTE)).toEqual({ decisions: [], review: 'MOVED_ON' });
  });

  it('a person rejects: RESTORE with REVIEW_REJECTED, a mistake: chances given back, evidence forgotten', () => {
    const { engine } = story(REVIEW_POLICY);
    const key = msisdnKey(subject);
    const at = suspendingReport + 2 * HOUR;
    const standing = engine.primary.copyOfStanding(key);
    engine.primary.putStanding(key, { ...standing!, chancesUsedAt: [cst('2024-02-01T10:00')] });
    expect(engine.reviewDecided(subject, 'RESTORE', at)).toEqual({
      decisions: [
        expect.objectContaining({
          at,
          action: Action.Restore,
          previous: Action.Restrict,
          reasons: [ReasonCode.ReviewRejected],
        }),
      ],
      review: 'DECIDED',
    });
    expect(engine.levelOf(subject, at)).toBe(Action.None);
    expect(engine.primary.standingOf(key)).toMatchObject({ chancesUsedAt: [], reviewSince: undefined });
    // The reports and calls behind it no longer count: the next report is weighed alone (a warning at most).
    expect(engine.features(subject, at).corroboratedReporters).toBe(0);
    const next = ofSubject(play(engine, [laterReport(3 * HOUR, answeredBy[2])]));
    expect(next.map((d) => [d.previous, d.action])).toEqual([[Action.None, Action.Warn]]);
  });

  it('still suspends at once on a directive or a police confirmation, closing an open review', () => {
    const directed = story(REVIEW_POLICY).engine;
    const at = suspendingReport + HOUR;
    expect(directed.directive(subject, Action.Suspend, at).decisions).toEqual([
      expect.objectContaining({ action: Action.Suspend, previous: Action.Restrict, reasons: [ReasonCode.Directive] }),
    ]);
    // The standing moved on: the person's answer changes nothing.
    expect(directed.reviewDecided(subject, 'RESTORE', at + HOUR)).toEqual({ decisions: [], review: 'MOVED_ON' });
    expect(directed.levelOf(subject, at + HOUR)).toBe(Action.Suspend);

    const confirmed = story(REVIEW_POLICY).engine;
    expect(confirmed.registryChanged(subject, 'CONFIRMED', at).decisions).toEqual([
      expect.objectContaining({ action: Action.Suspend, previous: Action.Restrict }),
    ]);
    expect(confirmed.reviewDecided(subject, 'SUSPEND', at + HOUR)).toEqual({ decisions: [], review: 'MOVED_ON' });

    // A long-held number the police confirm before any review: suspended at once, no review.
    const fresh = new AnalysisEngine({ policy: REVIEW_POLICY });
    play(
      fresh,
      worker.events.filter((e) => e.type === 'subscriber'),
    );
    const [decision] = fresh.registryChanged(subject, 'CONFIRMED', at).decisions;
    expect(decision).toMatchObject({ action: Action.Suspend, reasons: [ReasonCode.RegistryConfirmed] });
    expect(decision.reviewRequested).toBeUndefined();
  });

  it('restores no number the police confirmed meanwhile: a RESTORE closes the review, MOVED_ON', () => {
    // A policy that gives a police confirmation no weight, confirmed after the evidence aged out of its windows: the
    // number stays under review when it comes.
    const weights = { ...REVIEW_POLICY.weights, [ReasonCode.RegistryConfirmed]: 0 };
    const { engine } = story(validatePolicy({ ...REVIEW_POLICY, name: 'review-unweighted', weights }));
    const at = suspendingReport + 60 * DAY;
    engine.registryChanged(subject, 'CONFIRMED', at);
    expect(engine.primary.standingOf(msisdnKey(subject))?.reviewSince).toBe(suspendingReport);
    expect(engine.reviewDecided(subject, 'RESTORE', at + HOUR)).toEqual({
      decisions: [],
      confirmedFraud: true,
      review: 'MOVED_ON',
    });
    expect(engine.levelOf(subject, at + HOUR)).toBe(Action.Restrict);
    expect(engine.primary.standingOf(msisdnKey(subject))?.reviewSince).toBeUndefined();
  });

  it('answers MOVED_ON for a review the police restored meanwhile, or one other than the open one', () => {
    const { engine } = story(REVIEW_POLICY);
    const at = suspendingReport + HOUR;
    expect(engine.reviewDecided(subject, 'SUSPEND', at, suspendingReport - 1)).toEqual({
      decisions: [],
      review: 'MOVED_ON',
    });
    expect(engine.levelOf(subject, at)).toBe(Action.Restrict);
    play(engine, [{ type: 'police_clear', at, msisdn: subject } as CarrierEvent]);
    expect(engine.reviewDecided(subject, 'SUSPEND', at + HOUR, suspendingReport)).toEqual({
      decisions: [],
      review: 'MOVED_ON',
    });
    expect(engine.levelOf(subject, at + HOUR)).toBe(Action.None);
  });

  it('puts an open review back at start-up only where the number still stands restricted', () => {
    const { decisions } = story(REVIEW_POLICY);
    const last = decisions.at(-1) as Decision;
    const restarted = new AnalysisEngine({ policy: REVIEW_POLICY });
    play(
      restarted,
      worker.events.filter((e) => e.type === 'subscriber'),
    );
    restarted.resume(subject, last.action, last.at);
    expect(restarted.resumeReview(subject, last.at)).toBe(true);
    expect(restarted.reviewDecided(subject, 'SUSPEND', last.at + HOUR, last.at).review).toBe('DECIDED');

    const restored = new AnalysisEngine({ policy: REVIEW_POLICY });
    play(
      restored,
      worker.events.filter((e) => e.type === 'subscriber'),
    );
    restored.resume(subject, Action.Restore, last.at + HOUR);
    expect(restored.resumeReview(subject, last.at)).toBe(false);
  });

  it('replays to the same decisions, review decided included', () => {
    const run = () => {
      const { engine, decisions } = story(REVIEW_POLICY);
      const later = play(engine, [laterReport(10 * MINUTE, answeredBy[2])]);
      const decided = engine.reviewDecided(subject, 'SUSPEND', suspendingReport + DAY).decisions;
      return JSON.stringify([...decisions, ...later, ...decided]);
    };
    const first = run();
    expect(first).toContain(ReasonCode.ReviewPending);
    expect(first).toContain(ReasonCode.ReviewConfirmed);
    expect(run()).toBe(first);
  });

  it('prints the held-back suspension in a replay of the event file, the same each time', () => {
    const lines = worker.events.map(eventLine);
    const replay = () => {
      const replayer = new Replayer({ policy: REVIEW_POLICY });
      return lines.flatMap((line) => replayer.feed(line)).map(decisionLine);
    };
    const first = replay();
    expect(first.filter((line) => line.includes('"REVIEW_PENDING"'))).toHaveLength(1);
    expect(first.some((line) => line.includes('"SUSPEND"'))).toBe(false);
    expect(replay()).toEqual(first);
  });

  it('holds back a shadow policy’s suspension on its own ladder: recorded as shadow, the active one unchanged', () => {
    const { engine, decisions, shadowDecisions } = story(DEFAULT_POLICY_V2, undefined, REVIEW_POLICY);
    expect(decisions.at(-1)).toMatchObject({ action: Action.Suspend });
    expect(shadowDecisions.at(-1)).toMatchObject({
      action: Action.Restrict,
      shadow: true,
      reviewRequested: true,
      policy: 'review-test@1',
    });
    expect(engine.shadow?.standingOf(msisdnKey(subject))?.reviewSince).toBe(suspendingReport);
    // The other way round: the active ladder waits for the person, the shadow suspends.
    const other = story(REVIEW_POLICY, undefined, DEFAULT_POLICY_V2);
    expect(other.decisions.at(-1)).toMatchObject({ action: Action.Restrict, reviewRequested: true, shadow: false });
    expect(other.shadowDecisions.at(-1)).toMatchObject({ action: Action.Suspend, shadow: true });
  });

  it.each([NAIVE_POLICY, DEFAULT_POLICY_V1, DEFAULT_POLICY_V2])(
    'leaves $name@$version as it was: no reviews',
    (policy) => {
      const { decisions } = story(policy);
      expect(rulesOf(policy).reviewTenureMs).toBe(Number.POSITIVE_INFINITY);
      expect(decisions.some((d) => d.reviewRequested || d.reasons.includes(ReasonCode.ReviewPending))).toBe(false);
      expect(decisions.map((d) => d.action)).toContain(Action.Suspend);
    },
  );

  it('notifies the subscriber of the restriction, what still works and that a person reviews it', () => {
    const review = story(REVIEW_POLICY).decisions.at(-1) as Decision;
    const text = noticeText(review) as string;
    expect(text).toMatch(/^【已限制呼出，待人工复核】/);
    expect(text).toContain('系统未直接停机');
    expect(text).toContain('紧急和服务号码（110、119、120');
    expect(text).toContain('近30天内与您通过电话或短信的号码仍可拨打');
    expect(text).toContain('工作人员将尽快复核');
    expect(text).not.toContain('号码实名且使用年限较长，暂不停机');
  });

  it.each([
    [{ tenureDays: -1 }, 'policy.humanReview.tenureDays: must be a number of days ≥ 0'],
    [{ tenureDays: '365' }, 'policy.humanReview.tenureDays: must be a number of days ≥ 0'],
    [{ days: 365 }, 'policy.humanReview.days: is not a field of a policy document'],
    [[], 'policy.humanReview: must be an object'],
  ])('refuses humanReview %j, naming the field', (humanReview, message) => {
    expect(() => validatePolicy({ ...DEFAULT_POLICY_V2, humanReview })).toThrow(ValidationError);
    expect(() => validatePolicy({ ...DEFAULT_POLICY_V2, humanReview })).toThrow(message);
  });
});
