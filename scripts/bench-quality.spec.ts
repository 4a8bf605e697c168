import { Action, type Msisdn } from '@app/domain';
import { chartHtml, distribution, formatTable, QualityTracker, quantile, rate, runQuality } from './bench-quality-core';

const m = (s: string) => `+86${s}` as Msisdn;
const MIN = 60_000;

describe('quality metrics arithmetic', () => {
  it('quantile interpolates between closest ranks', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([7], 0.9)).toBe(7);
    // sorted 1 2 3 4: median at position 1.5 → 2.5; p90 at 2.7 → 3 + 0.7 × 1 = 3.7
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([4, 1, 3, 2], 0.9)).toBeCloseTo(3.7, 10);
    // 10 20 30 40 50: median 30; p90 at 3.6 → 40 + 0.6 × 10 = 46
    expect(distribution([50, 10, 40, 20, 30])).toEqual({ n: 5, median: 30, p90: 46 });
    expect(rate(1, 4)).toBe(0.25);
    expect(rate(0, 0)).toBe(0);
  });

  it('counts honest and fraud outcomes, calls before restriction and delays from hand-made decisions', () => {
    const [h1, h2, h3, heavy1, heavy2, f1, f2, f3, f4] = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) =>
      m(`1380000000${d}`),
    );
    const truth = { fraud: new Set([f1, f2, f3, f4]), heavy: new Set([heavy1, heavy2]) };
    const t = new QualityTracker(['a', 'b']);
    const t0 = Date.UTC(2024, 3, 1, 2);
    // honest callers: h1, h2, h3, heavy1, heavy2 (5); fraud f1, f2, f3 call, f4 never does (3 active)
    for (const h of [h1, h2, h3, heavy1, heavy2]) t.call(h, t0);
    // f1: 3 calls, restricted (policy a) on the 3rd at +10 min, suspended later
    t.call(f1, t0);
    t.call(f1, t0 + 5 * MIN);
    t.call(f1, t0 + 10 * MIN);
    t.decision('a', { msisdn: f1, action: Action.Warn, at: t0 + 5 * MIN });
    t.decision('a', { msisdn: f1, action: Action.Restrict, at: t0 + 10 * MIN });
    t.call(f1, t0 + 15 * MIN);
    t.decision('a', { msisdn: f1, action: Action.Suspend, at: t0 + 15 * MIN }); // not a second restriction
    // f2: 6 calls from t0 + 60 min, suspended (policy a) straight away on the 6th at +90 min
    for (let i = 0; i < 6; i++) t.call(f2, t0 + 60 * MIN + i * 6 * MIN);
    t.decision('a', { msisdn: f2, action: Action.Suspend, at: t0 + 90 * MIN });
    // f3: calls, only warned under a; restricted under b after 1 call, 2 minutes in
    t.call(f3, t0);
    t.decision('b', { msisdn: f3, action: Action.Restrict, at: t0 + 2 * MIN });
    t.call(f3, t0 + 3 * MIN);
    t.decision('a', { msisdn: f3, action: Action.Warn, at: t0 + 3 * MIN });
    // f4 never calls: a decision about it (a report) is not an active number caught
    t.decision('a', { msisdn: f4, action: Action.Restrict, at: t0 });
    // honest: h1 suspended under a; heavy1 restricted under a; h2 restricted under b; h3 only warned;
    // heavy2 restored (not on the ladder)
    t.decision('a', { msisdn: h1, action: Action.Suspend, at: t0 + MIN });
    t.decision('a', { msisdn: heavy1, action: Action.Restrict, at: t0 + MIN });
    t.decision('b', { msisdn: h2, action: Action.Restrict, at: t0 + MIN });
    t.decision('a', { msisdn: h3, action: Action.Warn, at: t0 + MIN });
    t.decision('a', { msisdn: heavy2, action: Action.Restore, at: t0 + MIN });

    const a = t.summarize('a', truth);
    expect(a).toEqual({
      policy: 'a',
      honestCallers: 5,
      honestSuspended: 1,
      honestSuspendedRate: 0.2,
      honestRestricted: 2, // h1 (suspended counts as restricted) and heavy1
      honestRestrictedRate: 0.4,
      heavyCallers: 2,
      heavySuspended: 0,
      heavySuspendedRate: 0,
      heavyRestricted: 1,
      heavyRestrictedRate: 0.5,
      fraudActive: 3,
      fraudCaught: 2, // f1 and f2
      fraudCaughtRate: 2 / 3,
      // calls 3 (f1) and 6 (f2): median 4.5, p90 at position 0.9 → 3 + 0.9 × 3 = 5.7
      callsBeforeRestrict: { n: 2, median: 4.5, p90: expect.closeTo(5.7, 10) },
      // delays 10 min (f1) and 30 min (f2, first call at +60, suspended at +90): median 20, p90 10 + 0.9 × 20 = 28
      detectionDelayMin: { n: 2, median: 20, p90: expect.closeTo(28, 10) },
      falseReportVictims: 0,
      falseReportVictimsRestricted: 0,
      probersActive: 0,
      probersCaught: 0,
      groups: [],
      termsLapsed: 0,
      clearances: 0,
      fraudCalls: { placed: 0, unlabelled: 0, labelled: 0, blocked: 0 },
      caughtLabelledFirst: 0,
      honestCalls: { placed: 0, labelled: 0, blocked: 0 },
      honestRestrictedAfterDemotion: null,
      essentialCalls: { tried: 0, refused: 0 },
      reviews: 0,
      demotions: [],
    });

    const b = t.summarize('b', truth);
    expect(b).toMatchObject({
      honestSuspended: 0,
      honestRestricted: 1,
      honestRestrictedRate: 0.2,
      heavyRestricted: 0,
      fraudCaught: 1,
    });
    expect(b.callsBeforeRestrict).toEqual({ n: 1, median: 1, p90: 1 });
    expect(b.detectionDelayMin).toEqual({ n: 1, median: 2, p90: 2 });
  });

  it('counts false-report victims restricted (whether or not they call) and threshold probers caught', () => {
    const [victim, quietVictim, spared, prober, idleProber] = ['1', '2', '3', '4', '5'].map((d) => m(`1390000000${d}`));
    const truth = {
      fraud: new Set([prober, idleProber]),
      heavy: new Set<Msisdn>(),
      falseReportVictims: new Set([victim, quietVictim, spared]),
      probers: new Set([prober, idleProber]),
    };
    const t = new QualityTracker(['a']);
    t.call(victim, 0);
    t.call(spared, 0);
    t.call(prober, 0);
    t.decision('a', { msisdn: victim, action: Action.Restrict, at: MIN });
    t.decision('a', { msisdn: quietVictim, action: Action.Suspend, at: MIN });
    t.decision('a', { msisdn: spared, action: Action.Warn, at: MIN });
    t.decision('a', { msisdn: prober, action: Action.Restrict, at: MIN });
    expect(t.summarize('a', truth)).toMatchObject({
      falseReportVictims: 3,
      falseReportVictimsRestricted: 2,
      probersActive: 1,
      probersCaught: 1,
      fraudActive: 1,
      fraudCaught: 1,
    });
  });

  it('gives no median when nothing was caught', () => {
    const t = new QualityTracker(['a']);
    t.call(m('13800000001'), 0);
    const q = t.summarize('a', { fraud: new Set([m('13800000001')]), heavy: new Set() });
    expect(q).toMatchObject({
      fraudActive: 1,
      fraudCaught: 0,
      fraudCaughtRate: 0,
      honestCallers: 0,
      honestSuspendedRate: 0,
    });
    expect(q.detectionDelayMin).toEqual({ n: 0, median: null, p90: null });
  });
});

describe("quality benchmark end to end (2,000 subscribers, 2 days, with the simulator's extra categories)", () => {
  const report = runQuality({
    subscribers: 2_000,
    days: 2,
    heavyPerMille: 5,
    fraudPerMille: 2,
    seed: 1,
    extras: true,
    leastHarmPerMille: 3,
  });

  it('reports every policy with every figure', () => {
    expect(Object.keys(report.policies)).toEqual([
      'naive@1',
      'default@2',
      'default@3',
      'default@4',
      'default@5',
      'mistuned@1 (shadow)',
    ]);
    expect(report.population).toMatchObject({ subscribers: 2_000, days: 2, seed: 1 });
    expect(report.population.events).toBeGreaterThan(0);
    for (const q of Object.values(report.policies)) {
      expect(Object.keys(q).sort()).toEqual(
        [
          'policy',
          'honestCallers',
          'honestSuspended',
          'honestSuspendedRate',
          'honestRestricted',
          'honestRestrictedRate',
          'heavyCallers',
          'heavySuspended',
          'heavySuspendedRate',
          'heavyRestricted',
          'heavyRestrictedRate',
          'fraudActive',
          'fraudCaught',
          'fraudCaughtRate',
          'callsBeforeRestrict',
          'detectionDelayMin',
          'falseReportVictims',
          'falseReportVictimsRestricted',
          'probersActive',
          'probersCaught',
          'groups',
          'termsLapsed',
          'clearances',
          'fraudCalls',
          'caughtLabelledFirst',
          'honestCalls',
          'honestRestrictedAfterDemotion',
          'essentialCalls',
          'reviews',
          'demotions',
        ].sort(),
      );
      expect(q.honestCallers).toBeGreaterThan(1_000);
      expect(q.heavyCallers).toBe(report.population.heavy);
      expect(q.honestSuspended).toBeLessThanOrEqual(q.honestRestricted);
      expect(q.fraudCaught).toBeLessThanOrEqual(q.fraudActive);
      expect(q.callsBeforeRestrict.n).toBe(q.fraudCaught);
      expect(q.falseReportVictims).toBe(report.population.falseReportVictims);
      expect(q.probersCaught).toBeLessThanOrEqual(q.probersActive);
    }
    expect(report.population.falseReportVictims).toBeGreaterThan(0);
    expect(report.population.probers).toBeGreaterThan(0);
    // JSON round trip keeps the shape (nulls for empty medians included)
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  it('default restricts no honest heavy caller (naive some) and catches as many fraud numbers, bar one at most', () => {
    const { 'naive@1': naive, 'default@2': ours } = report.policies;
    expect(naive.heavyRestricted).toBeGreaterThan(0);
    expect(ours.heavyRestricted).toBe(0);
    expect(ours.fraudCaught).toBeGreaterThanOrEqual(naive.fraudCaught - 1);
    // False reports from people the number never called weigh nothing under default.
    expect(ours.falseReportVictimsRestricted).toBe(0);
  });

  it.each(['default@3', 'default@4', 'default@5'])(
    '%s restricts no honest person, catches every active fraud number, strands nobody, labels first',
    (name) => {
      const ours = report.policies[name];
      expect(ours.honestRestricted).toBe(0);
      expect(ours.fraudCaught).toBe(ours.fraudActive);
      for (const group of ours.groups) expect(group.restricted).toBe(group.fraud ? group.members : 0);
      expect(ours.groups.map((g) => g.label)).toEqual([
        'people staying at listed cells restricted',
        'coach tourists passing a listed cell restricted',
        'scams with victims on other networks caught',
        'crews working a listed cell caught',
      ]);
      // Every number restricted or suspended could still reach 110 and its carrier's service line.
      for (const q of Object.values(report.policies)) expect(q.essentialCalls.refused).toBe(0);
      expect(ours.essentialCalls.tried).toBeGreaterThan(0);
      // Callees are protected first: fraud numbers' calls were labelled before any restriction (never under
      // default@2), and fewer fraud calls reached a callee without a label than under default@2.
      expect(ours.caughtLabelledFirst).toBeGreaterThan(0);
      expect(report.policies['default@2'].caughtLabelledFirst).toBe(0);
      expect(ours.fraudCalls.unlabelled).toBeLessThan(report.policies['default@2'].fraudCalls.unlabelled);
      expect(ours.fraudCalls.placed).toBe(report.policies['naive@1'].fraudCalls.placed);
    },
  );

  it('default@4 and @5 label every fraud number they catch before restricting it, default@3 only some', () => {
    const [v3, v4, v5] = [report.policies['default@3'], report.policies['default@4'], report.policies['default@5']];
    expect(v4.caughtLabelledFirst).toBe(v4.fraudCaught);
    expect(v5.caughtLabelledFirst).toBe(v5.fraudCaught);
    expect(v3.caughtLabelledFirst).toBeLessThan(v3.fraudCaught);
  });

  it('trips the error budget of the rule mis-tuned in shadow, and of no built-in policy', () => {
    const shadow = report.policies['mistuned@1 (shadow)'];
    expect(shadow.honestRestricted).toBeGreaterThan(0);
    // The benchmark's police cleared the innocents it would have restricted: those mistakes spent its budget.
    expect(shadow.clearances).toBeGreaterThanOrEqual(3);
    expect(shadow.demotions.map((d) => d.reason)).toContain('NEW_SEGMENT');
    for (const d of shadow.demotions) expect(d.mistakes).toBeGreaterThanOrEqual(3);
    for (const name of ['naive@1', 'default@2', 'default@3', 'default@4', 'default@5'])
      expect(report.policies[name].demotions).toEqual([]);
  });

  it('prints a table and a self-contained chart', () => {
    const table = formatTable(report);
    expect(table).toMatch(/naive@1\s+default@2\s+default@3\s+default@4\s+default@5/);
    expect(table).toContain('honest heavy callers restricted');
    expect(table).toContain('false-report victims restricted');
    expect(table).toContain('threshold probers caught');
    const html = chartHtml(report, { date: '2026-11-29', machine: 'test' });
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/);
  });
});
