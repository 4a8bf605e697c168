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
  type Fixture,
} from './fixtures';
import { cst, MINUTE, Scenario } from './fixtures/scenario';
import type { Decision } from './ladder';
import { Action, DEFAULT_POLICY, DEFAULT_POLICY_V4, DEFAULT_POLICY_V5, ladderLevel, validatePolicy } from './policy';
import { ReasonCode } from './reasons';

/** Long-held numbers of ours, spread over the range (never dialled in sequence). */
const victim = (s: Scenario, i: number) =>
  s.subscriber(`137006${String((i * 7_919 + 1_237) % 100_000).padStart(5, '0')}`, cst('2017-01-01T00:00'));

/**
 * The smallest burst of the simulated population, as default@4 missed three at a million subscribers: a 12-day-old
 * 171 number calls 20 strangers, one every `paceSec` seconds; `answered` of them answer (spread over the burst) and
 * are kept talking for minutes; nobody calls back.
 */
function smallBurst(answered = 8, paceSec = 90): Fixture {
  const s = new Scenario(62);
  const gang = s.subscriber('17100000062', cst('2024-03-20T10:00'));
  const start = cst('2024-04-01T14:05');
  for (let i = 0; i < 20; i++) {
    const yes = Math.floor(((i + 1) * answered) / 20) > Math.floor((i * answered) / 20);
    s.call(start + i * paceSec * 1000, gang, victim(s, i), yes, yes ? s.between(27, 360) : s.between(10, 25));
  }
  return {
    name: `smallest burst (${answered} of 20 answered, one call every ${paceSec} s)`,
    subject: gang,
    honest: false,
    events: s.sorted(),
  };
}

/**
 * A courier's round on a bad day: 20 customers called in 30 minutes from a two-year-old number, fewer than half
 * answer, and three who missed the call ring back within twenty minutes.
 */
function missedCourierRound(): Fixture {
  const s = new Scenario(63);
  const courier = s.subscriber('19300000063', cst('2022-04-01T10:00'));
  const start = cst('2024-04-01T09:00');
  for (let i = 0; i < 20; i++) {
    const answered = i % 5 < 2;
    const customer = victim(s, 100 + i);
    s.call(start + i * 90_000, courier, customer, answered, answered ? s.between(15, 50) : s.between(20, 30));
    if ([2, 7, 13].includes(i)) s.call(start + i * 90_000 + 15 * MINUTE, customer, courier, true, 30);
  }
  return {
    name: 'a courier’s round with many missed calls, returned',
    subject: courier,
    honest: true,
    events: s.sorted(),
  };
}

/** A week-old number (a new phone) calling 30 friends in an afternoon to give them the number: most answer. */
function newNumberToFriends(): Fixture {
  const s = new Scenario(64);
  const subject = s.subscriber('13700000064', cst('2024-03-25T10:00'));
  const start = cst('2024-04-01T14:00');
  for (let i = 0; i < 30; i++)
    s.call(start + i * 2 * MINUTE, subject, victim(s, 200 + i), i % 6 !== 0, i % 6 !== 0 ? s.between(30, 200) : 25);
  return { name: 'a new number calling its friends', subject, honest: true, events: s.sorted() };
}

const HONEST = [
  ...ARTICLE_PEOPLE,
  ...STAYING_PEOPLE,
  reportsWithoutContact,
  falseReportAttack,
  touristCoach,
  missedCourierRound,
  newNumberToFriends,
];
const CAUGHT = [...FRAUD_PATTERNS, cellCrew, scamReportedFromOtherNetworks];

describe('default@5: calls to strangers nobody returns', () => {
  it('is the built-in default, valid, and default@4 with UNRETURNED_CALLS weighed only', () => {
    expect(DEFAULT_POLICY).toBe(DEFAULT_POLICY_V5);
    expect(validatePolicy(JSON.parse(JSON.stringify(DEFAULT_POLICY_V5)))).toEqual(DEFAULT_POLICY_V5);
    const { version, description, thresholds, weights, ...rest } = DEFAULT_POLICY_V5;
    const { version: v4, description: d4, thresholds: t4, weights: w4, ...rest4 } = DEFAULT_POLICY_V4;
    expect([version, v4]).toEqual([5, 4]);
    expect(description).not.toBe(d4);
    expect(rest).toEqual(rest4);
    expect(thresholds).toEqual({ ...t4, unreturnedCalls: { calls: 15, answerRate: 0.5 } });
    expect(weights).toEqual({ ...w4, [ReasonCode.UnreturnedCalls]: 0.3 });
  });

  it('restricts the smallest burst default@4 held at WARN, after labelling one of its calls', () => {
    const fixture = smallBurst();
    const before = run(fixture, DEFAULT_POLICY_V4);
    expect(before.worst(fixture.subject)).toBe(ladderLevel(Action.Warn));
    const ours = run(fixture, DEFAULT_POLICY_V5);
    const restrict = ours.firstRestrict(fixture.subject);
    expect(restrict).toMatchObject({
      action: Action.Restrict,
      previous: Action.Warn,
      reasons: expect.arrayContaining([ReasonCode.UnreturnedCalls, ReasonCode.LowAnswerRate]),
    });
    const warnedAt = ours.decisions.find((d) => d.action === Action.Warn)?.at as number;
    expect(ours.labelled.some((at) => at >= warnedAt && at <= (restrict as Decision).at)).toBe(true);
  });

  it.each([
    [8, 140],
    [9, 90],
    [9, 140],
    [10, 120],
  ])('restricts a burst with %i of 20 answered, one call every %i s, that default@4 held at WARN', (answered, pace) => {
    const fixture = smallBurst(answered, pace);
    expect(run(fixture, DEFAULT_POLICY_V4).worst(fixture.subject)).toBe(ladderLevel(Action.Warn));
    expect(run(fixture, DEFAULT_POLICY_V5).firstRestrict(fixture.subject)).toBeDefined();
  });

  it('holds below RESTRICT a burst most callees answer (too like honest work); faster, it is labelled at WARN', () => {
    const fixture = smallBurst(11, 90);
    const { worst, labelled } = run(fixture, DEFAULT_POLICY_V5);
    expect(worst(fixture.subject)).toBe(ladderLevel(Action.Monitor));
    expect(labelled).toEqual([]);
    const faster = smallBurst(11, 45);
    expect(run(faster, DEFAULT_POLICY_V5).worst(faster.subject)).toBe(ladderLevel(Action.Warn));
    expect(run(faster, DEFAULT_POLICY_V5).labelled.length).toBeGreaterThan(0);
  });

  it('restricts, sooner than default@4, a cold caller whose strangers mostly never answer and never call back', () => {
    // An old number calling strangers one every 90 s to 5 min, three in ten answering: the cost, as documented.
    for (const [pace, v4Call] of [
      [90, 28],
      [300, 40],
    ]) {
      const s = new Scenario(65);
      const agent = s.subscriber('13900000065', cst('2019-01-01T10:00'));
      const start = cst('2024-04-01T09:00');
      for (let i = 0; i < 40; i++) {
        const yes = i % 10 < 3;
        s.call(start + i * pace * 1000, agent, victim(s, 300 + i), yes, yes ? s.between(20, 60) : s.between(15, 30));
      }
      const fixture: Fixture = { name: 'cold caller', subject: agent, honest: true, events: s.sorted() };
      const callOf = (d: Decision | undefined) => Math.round(((d?.at ?? 0) - start) / (pace * 1000)) + 1;
      expect(callOf(run(fixture, DEFAULT_POLICY_V5).firstRestrict(agent))).toBe(18);
      expect(callOf(run(fixture, DEFAULT_POLICY_V4).firstRestrict(agent))).toBe(v4Call);
    }
  });

  it.each(HONEST.map((f) => [f().name, f] as const))('never restricts %s', (_name, make) => {
    const fixture = make();
    const { subjects, firstRestrict } = run(fixture, DEFAULT_POLICY_V5);
    for (const m of subjects) expect(firstRestrict(m)).toBeUndefined();
  });

  it.each(CAUGHT.map((f) => [f().name, f] as const))('catches %s no later than default@4', (_name, make) => {
    const fixture = make();
    const ours = run(fixture, DEFAULT_POLICY_V5);
    const before = run(fixture, DEFAULT_POLICY_V4);
    for (const m of ours.subjects) {
      const at = ours.firstRestrict(m)?.at;
      expect(at).toBeDefined();
      expect(at).toBeLessThanOrEqual(before.firstRestrict(m)?.at as number);
    }
  });

  it('decides the same on the same file twice', () => {
    for (const make of [...CAUGHT, () => smallBurst()]) {
      const fixture = make();
      expect(run(fixture, DEFAULT_POLICY_V5).decisions).toEqual(run(fixture, DEFAULT_POLICY_V5).decisions);
    }
  });
});
