import type { Msisdn } from '../msisdn';
import { AnalysisEngine, msisdnKey, type EngineResult } from './engine';
import { ErrorBudget, reasonMask, signalIndexOf } from './error-budget';
import type { CarrierEvent } from './events';
import { DAY, HOUR } from './fixtures/scenario';
import { noteDecision, ruleBudgetFrom, type Decision } from './ladder';
import {
  Action,
  DEFAULT_POLICY_V2,
  DEFAULT_POLICY_V1,
  NAIVE_POLICY,
  validatePolicy,
  type PolicyDocument,
} from './policy';
import { ReasonCode } from './reasons';
import { decisionLine, demotionLine, eventLine, formatChinaTime, Replayer } from './replay';
import { rulesOf } from './rules';

const T0 = Date.UTC(2025, 0, 1);
const OLD = T0 - 400 * DAY;

/**
 * A deliberately mis-tuned rule: the new-segment reason alone restricts (a step
 * curve, weak evidence uncapped), as does a new number. With an error budget of
 * 3 mistakes and 5 % of its steps over 30 days.
 */
function budgetPolicy(overrides: Partial<PolicyDocument> = {}): PolicyDocument {
  return validatePolicy({
    ...DEFAULT_POLICY_V2,
    name: 'budget-test',
    version: 1,
    curve: 'step',
    weights: { ...DEFAULT_POLICY_V2.weights, [ReasonCode.NewSegment]: 0.7, [ReasonCode.NewNumber]: 0.7 },
    gates: { ...DEFAULT_POLICY_V2.gates, weakEvidenceCap: Action.Suspend },
    errorBudget: { windowDays: 30, minMistakes: 3, share: 0.05 },
    ...overrides,
  });
}

const PEER = '+8613800000000' as Msisdn;
let serial = 0;

/** A number in a new segment (165), held for a long time unless `activatedAt` says otherwise. */
function segmentNumber(): Msisdn {
  return `+86165${String(++serial).padStart(8, '0')}` as Msisdn;
}

/** An old number in an ordinary segment. */
function ordinaryNumber(): Msisdn {
  return `+86139${String(++serial).padStart(8, '0')}` as Msisdn;
}

function subscriber(msisdn: Msisdn, activatedAt = OLD): CarrierEvent {
  return {
    type: 'subscriber',
    at: activatedAt,
    msisdn,
    carrier: 'CMCC',
    activatedAt,
    realNameVerified: true,
    profile: 'none' as never,
  };
}

function call(caller: Msisdn, at: number): CarrierEvent {
  return { type: 'call', at, caller, callee: PEER, durationSec: 60, answered: true };
}

/** Everything an engine gave back, as a replay would print it. */
class Run {
  readonly decisions: Decision[] = [];
  readonly results: EngineResult[] = [];

  constructor(readonly engine: AnalysisEngine) {}

  feed(event: CarrierEvent): EngineResult {
    const result = this.engine.process(event);
    this.results.push(result);
    this.decisions.push(...result.decisions);
    return result;
  }

  /** A new subscriber who calls once at `at`: the step it reaches on the active ladder. */
  callOnce(msisdn: Msisdn, at: number, activatedAt = OLD): Action {
    this.feed(subscriber(msisdn, activatedAt));
    this.feed(call(msisdn, at));
    return this.engine.levelOf(msisdn, at);
  }

  clear(msisdn: Msisdn, at: number): EngineResult {
    return this.feed({ type: 'police_clear', at, msisdn });
  }

  get demotions() {
    return this.results.flatMap((r) => r.demotions ?? []);
  }
}

describe('error budget per rule (policy.errorBudget)', () => {
  it('demotes a mis-tuned rule after 3 mistakes at ≥ 5 %: numbers it alone would restrict then reach only WARN', () => {
    const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const victims = [segmentNumber(), segmentNumber(), segmentNumber()];
    victims.forEach((m, i) => expect(run.callOnce(m, T0 + i * HOUR)).toBe(Action.Restrict));
    expect(run.clear(victims[0], T0 + 10 * HOUR).demotions).toBeUndefined();
    expect(run.clear(victims[1], T0 + 11 * HOUR).demotions).toBeUndefined();
    const tripped = run.clear(victims[2], T0 + 12 * HOUR);
    expect(tripped.decisions.map((d) => d.action)).toEqual([Action.Restore]);
    expect(tripped.demotions).toEqual([
      {
        at: T0 + 12 * HOUR,
        policy: 'budget-test@1',
        shadow: false,
        reason: ReasonCode.NewSegment,
        mistakes: 3,
        actions: 3,
        windowDays: 30,
      },
    ]);

    // Alone it now counts only up to WARN ...
    const next = segmentNumber();
    expect(run.callOnce(next, T0 + 13 * HOUR)).toBe(Action.Warn);
    expect(run.decisions.filter((d) => d.msisdn === next).map((d) => d.action)).toEqual([Action.Warn]);
    // ... while another reason strong enough alone still restricts (NEW_NUMBER; NEW_SEGMENT cited beside it).
    const fresh = segmentNumber();
    expect(run.callOnce(fresh, T0 + 14 * HOUR, T0)).toBe(Action.Restrict);
    const step = run.decisions.find((d) => d.msisdn === fresh && d.action === Action.Restrict);
    expect(step?.reasons).toEqual(expect.arrayContaining([ReasonCode.NewNumber, ReasonCode.NewSegment]));
    // It is reported once: later clearances trip nothing new.
    expect(run.clear(fresh, T0 + 15 * HOUR).demotions).toBeUndefined();
    expect(run.demotions).toHaveLength(1);
    const budgets = run.engine.primary.ruleBudgets(T0 + 15 * HOUR);
    expect(budgets.find((b) => b.reason === ReasonCode.NewSegment)).toEqual({
      reason: ReasonCode.NewSegment,
      actions: 4,
      mistakes: 4,
      demotedSince: T0 + 12 * HOUR,
    });
  });

  it('does not demote a reason with many correct actions and few mistakes, nor one below minMistakes', () => {
    const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const numbers = Array.from({ length: 100 }, () => segmentNumber());
    numbers.forEach((m, i) => expect(run.callOnce(m, T0 + i * 60_000)).toBe(Action.Restrict));
    // 4 mistakes of 100 actions: 4 % < 5 %.
    numbers.slice(0, 4).forEach((m, i) => run.clear(m, T0 + DAY + i * HOUR));
    expect(run.demotions).toEqual([]);
    expect(run.engine.primary.demoted).toBe(0);
    expect(run.callOnce(segmentNumber(), T0 + 2 * DAY)).toBe(Action.Restrict);

    // 2 mistakes of 2 actions: 100 %, but fewer than 3.
    const few = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const two = [segmentNumber(), segmentNumber()];
    two.forEach((m, i) => few.callOnce(m, T0 + i * HOUR));
    two.forEach((m, i) => few.clear(m, T0 + DAY + i * HOUR));
    expect(few.demotions).toEqual([]);
  });

  it('counts only mistaken restores: an ID check or a lapsed term is no mistake', () => {
    const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const numbers = [segmentNumber(), segmentNumber(), segmentNumber(), segmentNumber()];
    numbers.forEach((m, i) => run.callOnce(m, T0 + i * HOUR));
    for (const m of numbers) run.feed({ type: 'reactivation', at: T0 + DAY, msisdn: m, idVerified: true });
    expect(run.decisions.filter((d) => d.action === Action.Restore)).toHaveLength(4);
    expect(run.demotions).toEqual([]);
    const budget = run.engine.primary.ruleBudgets(T0 + DAY).find((b) => b.reason === ReasonCode.NewSegment);
    expect(budget).toEqual({ reason: ReasonCode.NewSegment, actions: 4, mistakes: 0 });

    // Under terms of 1 h, restrictions lapse to WARN first: a clearance after that undoes no step.
    const lapsing = new Run(new AnalysisEngine({ policy: budgetPolicy({ terms: { restrictHours: 1 } }) }));
    const later = [segmentNumber(), segmentNumber(), segmentNumber()];
    later.forEach((m, i) => lapsing.callOnce(m, T0 + i * 60_000));
    later.forEach((m, i) => lapsing.clear(m, T0 + DAY + i * HOUR));
    expect(lapsing.decisions.filter((d) => d.reasons.includes(ReasonCode.TermLapsed))).toHaveLength(3);
    expect(lapsing.decisions.filter((d) => d.action === Action.Restore)).toEqual([]);
    expect(lapsing.demotions).toEqual([]);
  });

  it("trips a shadow policy's budget without touching the active ladder", () => {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY_V2, shadow: budgetPolicy() });
    const run = new Run(engine);
    const victims = [segmentNumber(), segmentNumber(), segmentNumber()];
    // The active default never restricts on the segment: only the shadow steps.
    victims.forEach((m, i) => expect(run.callOnce(m, T0 + i * HOUR)).toBe(Action.None));
    expect(run.decisions.filter((d) => d.action === Action.Restrict).every((d) => d.shadow)).toBe(true);
    victims.forEach((m, i) => run.clear(m, T0 + DAY + i * HOUR));
    expect(run.demotions).toEqual([expect.objectContaining({ policy: 'budget-test@1', shadow: true, mistakes: 3 })]);
    expect(engine.shadow?.demoted).toBe(reasonMask([ReasonCode.NewSegment]));
    expect(engine.primary.demoted).toBe(0);
    expect(engine.primary.ruleBudgets(T0 + 2 * DAY)).toEqual([]);
    // The shadow now only warns on the segment.
    const next = segmentNumber();
    run.callOnce(next, T0 + 2 * DAY);
    expect(run.decisions.filter((d) => d.msisdn === next).map((d) => [d.action, d.shadow])).toEqual([
      [Action.Warn, true],
    ]);
  });

  it('re-enables a demoted rule: full weight again, counts started afresh; a rule not demoted is left alone', () => {
    const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const victims = [segmentNumber(), segmentNumber(), segmentNumber()];
    victims.forEach((m, i) => run.callOnce(m, T0 + i * HOUR));
    victims.forEach((m, i) => run.clear(m, T0 + DAY + i * HOUR));
    expect(run.engine.primary.demoted).not.toBe(0);

    const at = T0 + 2 * DAY;
    expect(run.engine.reenableRule('budget-test@1', ReasonCode.CallBurst, at).reenabled).toEqual([]);
    expect(run.engine.reenableRule('other@1', ReasonCode.NewSegment, at).reenabled).toEqual([]);
    expect(run.engine.reenableRule('budget-test@1', ReasonCode.NewSegment, at).reenabled).toEqual([
      { at, policy: 'budget-test@1', shadow: false, reason: ReasonCode.NewSegment },
    ]);
    expect(run.engine.primary.demoted).toBe(0);
    expect(run.engine.primary.ruleBudgets(at).find((b) => b.reason === ReasonCode.NewSegment)).toEqual({
      reason: ReasonCode.NewSegment,
      actions: 0,
      mistakes: 0,
    });
    expect(run.callOnce(segmentNumber(), at + HOUR)).toBe(Action.Restrict);
    // A second re-enable finds nothing to do.
    expect(run.engine.reenableRule('budget-test@1', ReasonCode.NewSegment, at + HOUR).reenabled).toEqual([]);
  });

  it('gives a number taken back (a change not made durable) the reasons its step cited', () => {
    const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const m = segmentNumber();
    run.callOnce(m, T0);
    const key = msisdnKey(m);
    expect(run.engine.primary.citedOf(key)).toBe(reasonMask([ReasonCode.NewSegment]));
    const before = run.engine.checkpoint(m);
    expect(run.engine.appealUpheld(m, T0 + HOUR).decisions.map((d) => d.action)).toEqual([Action.Restore]);
    expect(run.engine.primary.citedOf(key)).toBeUndefined();
    expect(run.engine.rollBack(before, run.engine.checkpoint(m))).toBe(true);
    expect(run.engine.levelOf(m, T0 + HOUR)).toBe(Action.Restrict);
    expect(run.engine.primary.citedOf(key)).toBe(reasonMask([ReasonCode.NewSegment]));
  });

  it("keeps a ladder's budget across a switch of the other ladder; another policy starts its own", () => {
    const policy = budgetPolicy();
    const run = new Run(new AnalysisEngine({ policy }));
    const victims = [segmentNumber(), segmentNumber(), segmentNumber()];
    victims.forEach((m, i) => run.callOnce(m, T0 + i * HOUR));
    victims.forEach((m, i) => run.clear(m, T0 + DAY + i * HOUR));
    const demoted = reasonMask([ReasonCode.NewSegment]);
    // A shadow started beside it: the active ladder keeps its demotion, the shadow (same policy) counts apart.
    run.engine.usePolicies(policy, policy);
    expect(run.engine.primary.demoted).toBe(demoted);
    expect(run.engine.shadow?.demoted).toBe(0);
    expect(run.engine.shadow?.ruleBudgets(T0 + 2 * DAY).find((b) => b.reason === ReasonCode.NewSegment)).toEqual({
      reason: ReasonCode.NewSegment,
      actions: 0,
      mistakes: 0,
    });
    run.engine.usePolicies(policy);
    expect(run.engine.primary.demoted).toBe(demoted);
    // Another version is another policy: its budget is its own (the carrier puts back what it has stored).
    run.engine.usePolicies({ ...policy, version: 2 });
    expect(run.engine.primary.demoted).toBe(0);
  });

  it('rolls its window: mistakes older than windowDays no longer count', () => {
    const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
    const numbers = [segmentNumber(), segmentNumber(), segmentNumber()];
    numbers.forEach((m, i) => run.callOnce(m, T0 + i * HOUR));
    run.clear(numbers[0], T0 + DAY);
    run.clear(numbers[1], T0 + 2 * DAY);
    // 40 days on, the first two mistakes (and their actions) have left the 30-day window.
    run.clear(numbers[2], T0 + 40 * DAY);
    expect(run.demotions).toEqual([]);
    const budget = run.engine.primary.ruleBudgets(T0 + 40 * DAY).find((b) => b.reason === ReasonCode.NewSegment);
    expect(budget).toEqual({ reason: ReasonCode.NewSegment, actions: 0, mistakes: 1 });
  });

  it('counts the same whatever was read before: a listing at a later instant drops nothing an earlier one sees', () => {
    const rules = rulesOf(budgetPolicy()).errorBudget!;
    const budget = new ErrorBudget(rules, 'p@1', false);
    budget.restrictive(1, [ReasonCode.NewSegment], T0, true);
    const actionsAt = (at: number) => budget.figures(at).find((b) => b.reason === ReasonCode.NewSegment)?.actions;
    expect(actionsAt(T0 + 30 * DAY + HOUR)).toBe(0);
    // A late event (within the gate's allowance) is judged on its own time.
    expect(actionsAt(T0 + 30 * DAY - HOUR)).toBe(1);
  });

  it('rebuilds from stored decisions the counts the live ladder keeps', () => {
    const policy = budgetPolicy();
    const run = new Run(new AnalysisEngine({ policy }));
    const numbers = Array.from({ length: 8 }, () => segmentNumber());
    numbers.forEach((m, i) => run.callOnce(m, T0 + i * DAY));
    // One restricted before the window and cleared inside it; one still restricted; others cleared or ID-checked.
    run.clear(numbers[0], T0 + 35 * DAY);
    run.clear(numbers[3], T0 + 36 * DAY);
    run.feed({ type: 'reactivation', at: T0 + 37 * DAY, msisdn: numbers[4], idVerified: true });
    run.clear(numbers[6], T0 + 38 * DAY);
    const now = T0 + 39 * DAY;
    const windowStart = now - 30 * DAY;
    // What the carrier reads: the window's decisions and each number's latest one before it.
    const active = run.decisions.filter((d) => !d.shadow);
    const before = new Map<string, Decision>();
    for (const d of active) if (d.at < windowStart) before.set(d.msisdn, d);
    const history = [...before.values(), ...active.filter((d) => d.at >= windowStart)]
      .sort((a, b) => a.at - b.at)
      .map((d) => ({ ...d, key: msisdnKey(d.msisdn) }));
    const rules = rulesOf(policy).errorBudget!;
    // Three numbers restricted before the window and cleared inside it: the reason tripped on the third.
    expect(run.demotions.map((d) => [d.reason, d.at, d.mistakes, d.actions])).toEqual([
      [ReasonCode.NewSegment, T0 + 38 * DAY, 3, 0],
    ]);
    const stored = run.demotions.map((d) => ({ reason: d.reason, since: d.at }));
    const rebuilt = ruleBudgetFrom(new ErrorBudget(rules, 'budget-test@1', false), history, stored, []);
    const weighed = (s: number) => rulesOf(policy).weights[s] > 0;
    expect(rebuilt.figures(now, weighed)).toEqual(run.engine.primary.ruleBudgets(now));
    expect(rebuilt.demoted).toBe(run.engine.primary.demoted);
    // Later steps count the same on both: number 5 is still restricted, and its clearance is a mistake on each.
    const later = {
      at: now + DAY,
      action: Action.Restore,
      previous: Action.Restrict,
      reasons: [ReasonCode.PoliceCleared],
    };
    run.clear(numbers[5], now + DAY);
    noteDecision(rebuilt, msisdnKey(numbers[5]), later, true);
    expect(rebuilt.figures(now + DAY, weighed)).toEqual(run.engine.primary.ruleBudgets(now + DAY));
  });

  it('keeps a stored demotion and counts from a re-enable when rebuilt; a rebuild trips nothing itself', () => {
    const rules = rulesOf(budgetPolicy()).errorBudget!;
    const key = (n: number) => msisdnKey(`+8616599${String(n).padStart(6, '0')}` as Msisdn);
    const step = (n: number, at: number) => ({
      key: key(n),
      at,
      action: Action.Restrict,
      previous: Action.None,
      reasons: [ReasonCode.NewSegment],
    });
    const cleared = (n: number, at: number) => ({
      key: key(n),
      at,
      action: Action.Restore,
      previous: Action.Restrict,
      reasons: [ReasonCode.PoliceCleared],
    });
    const history = [step(1, T0), step(2, T0), step(3, T0 + 2 * DAY), cleared(1, T0 + 3 * DAY)];
    history.push(cleared(2, T0 + 3 * DAY), cleared(3, T0 + 4 * DAY));
    const plain = ruleBudgetFrom(new ErrorBudget(rules, 'p@1', false), history, [], []);
    expect(plain.demoted).toBe(0);
    expect(plain.drain()).toBeUndefined();
    const demoted = ruleBudgetFrom(
      new ErrorBudget(rules, 'p@1', false),
      history,
      [{ reason: ReasonCode.NewSegment, since: T0 + 4 * DAY }],
      [],
    );
    expect(demoted.demoted).toBe(1 << signalIndexOf(ReasonCode.NewSegment));
    // Re-enabled after the first step: its action and the mistakes after count, the earlier actions do not.
    const reenabled = ruleBudgetFrom(
      new ErrorBudget(rules, 'p@1', false),
      history,
      [],
      [{ reason: ReasonCode.NewSegment, at: T0 + DAY }],
    );
    expect(reenabled.figures(T0 + 5 * DAY).find((b) => b.reason === ReasonCode.NewSegment)).toEqual({
      reason: ReasonCode.NewSegment,
      actions: 1,
      mistakes: 3,
    });
  });

  it('replays to the same decisions and demotions', () => {
    const events: CarrierEvent[] = [];
    const numbers = Array.from({ length: 6 }, () => segmentNumber());
    numbers.forEach((m, i) => events.push(subscriber(m), call(m, T0 + i * HOUR)));
    numbers.slice(0, 4).forEach((m, i) => events.push({ type: 'police_clear', at: T0 + DAY + i * HOUR, msisdn: m }));
    const late = segmentNumber();
    events.push(subscriber(late), call(late, T0 + 2 * DAY));
    const once = () => {
      const run = new Run(new AnalysisEngine({ policy: budgetPolicy() }));
      events.forEach((e) => run.feed(e));
      return { decisions: run.decisions, demotions: run.demotions };
    };
    const first = once();
    expect(first.demotions).toHaveLength(1);
    expect(first.decisions.at(-1)).toMatchObject({ msisdn: late, action: Action.Warn });
    expect(once()).toEqual(first);

    // From the event file, replay prints the demotion on its own line, after the decision that tripped it.
    const printed = () => {
      const replayer = new Replayer({ policy: budgetPolicy() });
      const lines = events
        .map(eventLine)
        .flatMap((line) => [...replayer.feed(line).map(decisionLine), ...replayer.demotions.map(demotionLine)]);
      return { lines, demotions: replayer.stats.demotions };
    };
    const replayed = printed();
    expect(replayed.demotions).toBe(1);
    const at = replayed.lines.findIndex((line) => line.includes('"demoted"'));
    expect(JSON.parse(replayed.lines[at])).toEqual({
      at: formatChinaTime(first.demotions[0].at),
      demoted: ReasonCode.NewSegment,
      policy: 'budget-test@1',
      mistakes: 3,
      actions: 6,
      windowDays: 30,
    });
    expect(JSON.parse(replayed.lines[at - 1])).toMatchObject({ action: Action.Restore, reasons: ['POLICE_CLEARED'] });
    expect(printed()).toEqual(replayed);
  });

  it('leaves policies without the section as they were: naive, default@1 and default@2 never demote', () => {
    const { errorBudget, ...withoutSection } = budgetPolicy();
    expect(errorBudget).toBeDefined();
    for (const policy of [NAIVE_POLICY, DEFAULT_POLICY_V1, DEFAULT_POLICY_V2, withoutSection]) {
      expect(rulesOf(policy).errorBudget).toBeUndefined();
      const run = new Run(new AnalysisEngine({ policy }));
      const victims = [segmentNumber(), segmentNumber(), segmentNumber(), segmentNumber()];
      victims.forEach((m, i) => run.callOnce(m, T0 + i * HOUR));
      victims.forEach((m, i) => run.clear(m, T0 + DAY + i * HOUR));
      expect(run.results.filter((r) => 'demotions' in r)).toEqual([]);
      expect(run.engine.primary.demoted).toBe(0);
      expect(run.engine.primary.ruleBudgets(T0 + 2 * DAY)).toEqual([]);
    }
    // The mis-tuned rule without a budget keeps restricting after four mistakes.
    const run = new Run(new AnalysisEngine({ policy: withoutSection }));
    const victims = [segmentNumber(), segmentNumber(), segmentNumber(), segmentNumber()];
    victims.forEach((m, i) => run.callOnce(m, T0 + i * HOUR));
    victims.forEach((m, i) => run.clear(m, T0 + DAY + i * HOUR));
    expect(run.callOnce(segmentNumber(), T0 + 2 * DAY)).toBe(Action.Restrict);
    expect(run.callOnce(ordinaryNumber(), T0 + 2 * DAY)).toBe(Action.None);
  });

  it('validates the section, naming the field, and takes the defaults for absent fields', () => {
    const bad = (errorBudget: unknown) => () => budgetPolicy({ errorBudget } as Partial<PolicyDocument>);
    expect(bad({ windowDays: 0 })).toThrow('policy.errorBudget.windowDays');
    expect(bad({ minMistakes: 1.5 })).toThrow('policy.errorBudget.minMistakes');
    expect(bad({ minMistakes: 0 })).toThrow('policy.errorBudget.minMistakes');
    expect(bad({ share: 2 })).toThrow('policy.errorBudget.share');
    expect(bad({ windowDay: 3 })).toThrow('policy.errorBudget.windowDay');
    expect(bad([])).toThrow('policy.errorBudget');
    expect(rulesOf(budgetPolicy({ errorBudget: {} })).errorBudget).toEqual({
      windowDays: 30,
      windowMs: 30 * DAY,
      minMistakes: 3,
      share: 0.05,
    });
  });
});
