import {
  AnalysisEngine,
  Action,
  ladderLevel,
  NAIVE_POLICY,
  DEFAULT_POLICY,
  DEFAULT_POLICY_V2,
  DEFAULT_POLICY_V3,
  DEFAULT_POLICY_V4,
  fixtures,
  judgeCall,
  policyLabel,
  ReasonCode,
  validatePolicy,
  type CarrierEvent,
  type Decision,
  type EngineResult,
  type PolicyDocument,
} from '@app/domain';
import type { Msisdn } from '@app/domain';
import { textTable } from './bench/report';
import { percentile } from './bench/stats';

/**
 * The quality benchmark's logic, free of I/O: one simulated population with
 * ground truth, fed event by event to one engine per policy, and the figures
 * that say how many innocents each policy cuts off and how fast it catches fraud.
 */

export interface Truth {
  fraud: ReadonlySet<Msisdn>;
  heavy: ReadonlySet<Msisdn>;
  /** Innocent numbers a gang filed false reports against (honest; they need not call). */
  falseReportVictims?: ReadonlySet<Msisdn>;
  /** Fraud numbers that keep just under the thresholds (also in `fraud`). */
  probers?: ReadonlySet<Msisdn>;
  /**
   * Groups reported on their own (the least-harm categories): honest ones count
   * members restricted, fraud ones members caught.
   */
  groups?: readonly QualityGroup[];
}

export interface QualityGroup {
  /** What the row says, e.g. "people staying at listed cells". */
  label: string;
  members: ReadonlySet<Msisdn>;
  fraud: boolean;
}

/** One group's outcome under one policy: members restricted (honest) or caught (fraud), of how many. */
export interface GroupQuality {
  label: string;
  fraud: boolean;
  members: number;
  restricted: number;
}

/** One number's first step to RESTRICT (or worse) and to SUSPEND under one policy. */
interface Strike {
  restrictedAt?: number;
  /** Calls the number had placed when it was restricted, the call that triggered it included. */
  callsAtRestrict?: number;
  suspendedAt?: number;
}

export interface Distribution {
  /** How many values the median and p90 are taken over. */
  n: number;
  median: number | null;
  p90: number | null;
}

export interface PolicyQuality {
  policy: string;
  honestCallers: number;
  honestSuspended: number;
  honestSuspendedRate: number;
  honestRestricted: number;
  honestRestrictedRate: number;
  heavyCallers: number;
  heavySuspended: number;
  heavySuspendedRate: number;
  heavyRestricted: number;
  heavyRestrictedRate: number;
  fraudActive: number;
  fraudCaught: number;
  fraudCaughtRate: number;
  /** Calls a caught fraud number placed up to its restriction (the triggering call included). */
  callsBeforeRestrict: Distribution;
  /** Minutes from a caught fraud number's first call to its restriction. */
  detectionDelayMin: Distribution;
  falseReportVictims: number;
  falseReportVictimsRestricted: number;
  probersActive: number;
  probersCaught: number;
  groups: GroupQuality[];
  /** RESTRICT or SUSPEND that stepped down to WARN at the end of their term (TERM_LAPSED). */
  termsLapsed: number;
  /** Police clearances of honest numbers this policy restricted (the benchmark's police clear them after 4 h). */
  clearances: number;
  /** Calls placed by fraud numbers, and how call setup (judgeCall) answered each when it was placed. */
  fraudCalls: { placed: number; unlabelled: number; labelled: number; blocked: number };
  /** Caught fraud numbers whose calls were labelled before their first restriction. */
  caughtLabelledFirst: number;
  /** Calls placed by honest numbers, and how many call setup labelled or blocked: the cost to them. */
  honestCalls: { placed: number; labelled: number; blocked: number };
  /** Honest numbers first restricted after the policy's first demotion (null: nothing was demoted). */
  honestRestrictedAfterDemotion: number | null;
  /** Calls to 110 and 10086 tried by each number at its restriction: how many call setup refused. */
  essentialCalls: { tried: number; refused: number };
  /** Suspensions held back at RESTRICT for a person's review (REVIEW_PENDING). */
  reviews: number;
  /** Reasons the policy's error budget demoted, in order, with when. */
  demotions: { reason: string; at: number; mistakes: number; actions: number }[];
}

/**
 * Quantile by linear interpolation between closest ranks (numpy's default):
 * position (n - 1) × p in the sorted values. The median of an even count is
 * the mean of the two middle values. Null for no values.
 */
export function quantile(values: readonly number[], p: number): number | null {
  return values.length === 0
    ? null
    : percentile(
        [...values].sort((a, b) => a - b),
        p * 100,
      );
}

export function distribution(values: readonly number[]): Distribution {
  return { n: values.length, median: quantile(values, 0.5), p90: quantile(values, 0.9) };
}

/** count / total, 0 when there is nobody to count. */
export function rate(count: number, total: number): number {
  return total === 0 ? 0 : count / total;
}

const RESTRICT = ladderLevel(Action.Restrict);
const SUSPEND = ladderLevel(Action.Suspend);

/**
 * Collects, in one pass over the events, what the figures need: every caller's
 * first call and running call count (shared by all policies), and each
 * policy's first RESTRICT-or-worse and first SUSPEND per number.
 */
export class QualityTracker {
  private readonly firstCallAt = new Map<Msisdn, number>();
  private readonly calls = new Map<Msisdn, number>();
  private readonly strikes = new Map<string, Map<Msisdn, Strike>>();
  private readonly outcomes = new Map<string, Outcomes>();

  constructor(readonly policies: readonly string[]) {
    for (const name of policies) {
      this.strikes.set(name, new Map());
      this.outcomes.set(name, emptyOutcomes());
    }
  }

  private outcomesOf(policy: string): Outcomes {
    const outcomes = this.outcomes.get(policy);
    if (!outcomes) throw new Error(`unknown policy ${policy}`);
    return outcomes;
  }

  /**
   * A call a fraud number places, as call setup answered it under one policy
   * just before (report it before the call's own decisions).
   */
  /** A call an honest number places, as call setup answered it under one policy just before. */
  honestCall(policy: string, verdict: 'ALLOW' | 'LABEL' | 'BLOCK'): void {
    const calls = this.outcomesOf(policy).honestCalls;
    calls.placed++;
    if (verdict === 'LABEL') calls.labelled++;
    else if (verdict === 'BLOCK') calls.blocked++;
  }

  fraudCall(policy: string, caller: Msisdn, verdict: 'ALLOW' | 'LABEL' | 'BLOCK'): void {
    const calls = this.outcomesOf(policy).fraudCalls;
    calls.placed++;
    if (verdict === 'ALLOW') calls.unlabelled++;
    else if (verdict === 'LABEL') {
      calls.labelled++;
      const strike = this.strikes.get(policy)?.get(caller);
      if (strike?.restrictedAt === undefined) this.outcomesOf(policy).labelledFirst.add(caller);
    } else calls.blocked++;
  }

  /** A call to an essential number tried by a number just restricted: refused or not. */
  essentialCall(policy: string, refused: boolean): void {
    const calls = this.outcomesOf(policy).essentialCalls;
    calls.tried++;
    if (refused) calls.refused++;
  }

  demotion(policy: string, d: { reason: string; at: number; mistakes: number; actions: number }): void {
    this.outcomesOf(policy).demotions.push({ reason: d.reason, at: d.at, mistakes: d.mistakes, actions: d.actions });
  }

  /** A call placed by `caller` at `at` (ms); report it before the decisions it leads to. */
  call(caller: Msisdn, at: number): void {
    if (!this.firstCallAt.has(caller)) this.firstCallAt.set(caller, at);
    this.calls.set(caller, (this.calls.get(caller) ?? 0) + 1);
  }

  /** A decision of one policy; only the first RESTRICT-or-worse and the first SUSPEND count. */
  decision(policy: string, d: { msisdn: Msisdn; action: Action; at: number; reasons?: readonly string[] }): void {
    const outcomes = this.outcomes.get(policy);
    if (outcomes && d.reasons?.includes(ReasonCode.TermLapsed)) outcomes.termsLapsed++;
    if (outcomes && d.action === Action.Restore && d.reasons?.includes(ReasonCode.PoliceCleared)) outcomes.clearances++;
    if (outcomes && d.action === Action.Restrict && d.reasons?.includes(ReasonCode.ReviewPending)) outcomes.reviews++;
    const level = ladderLevel(d.action);
    if (level < RESTRICT) return; // NONE, MONITOR, WARN; RESTORE and REPORT are not on the ladder (-1)
    const strikes = this.strikes.get(policy);
    if (!strikes) throw new Error(`unknown policy ${policy}`);
    let strike = strikes.get(d.msisdn);
    if (!strike) strikes.set(d.msisdn, (strike = {}));
    if (strike.restrictedAt === undefined) {
      strike.restrictedAt = d.at;
      strike.callsAtRestrict = this.calls.get(d.msisdn) ?? 0;
    }
    if (level >= SUSPEND && strike.suspendedAt === undefined) strike.suspendedAt = d.at;
  }

  summarize(policy: string, truth: Truth): PolicyQuality {
    const strikes = this.strikes.get(policy);
    if (!strikes) throw new Error(`unknown policy ${policy}`);
    let honestCallers = 0;
    let heavyCallers = 0;
    let fraudActive = 0;
    let probersActive = 0;
    for (const msisdn of this.firstCallAt.keys()) {
      if (truth.probers?.has(msisdn)) probersActive++;
      if (truth.fraud.has(msisdn)) fraudActive++;
      else {
        honestCallers++;
        if (truth.heavy.has(msisdn)) heavyCallers++;
      }
    }
    let honestSuspended = 0;
    let honestRestricted = 0;
    let heavySuspended = 0;
    let heavyRestricted = 0;
    let fraudCaught = 0;
    let probersCaught = 0;
    let falseReportVictimsRestricted = 0;
    const callsBefore: number[] = [];
    const delays: number[] = [];
    for (const [msisdn, strike] of strikes) {
      if (truth.fraud.has(msisdn)) {
        const first = this.firstCallAt.get(msisdn);
        // Never called: not an active fraud number.
        if (first === undefined || strike.restrictedAt === undefined) continue;
        fraudCaught++;
        if (truth.probers?.has(msisdn)) probersCaught++;
        callsBefore.push(strike.callsAtRestrict ?? 0);
        delays.push((strike.restrictedAt - first) / 60_000);
        continue;
      }
      const heavy = truth.heavy.has(msisdn);
      if (strike.restrictedAt !== undefined && truth.falseReportVictims?.has(msisdn)) falseReportVictimsRestricted++;
      if (strike.restrictedAt !== undefined) {
        honestRestricted++;
        if (heavy) heavyRestricted++;
      }
      if (strike.suspendedAt !== undefined) {
        honestSuspended++;
        if (heavy) heavySuspended++;
      }
    }
    const groups = (truth.groups ?? []).map((g) => {
      let restricted = 0;
      for (const m of g.members) if (strikes.get(m)?.restrictedAt !== undefined) restricted++;
      return { label: g.label, fraud: g.fraud, members: g.members.size, restricted };
    });
    const outcomes = this.outcomesOf(policy);
    const demotedAt = outcomes.demotions.length > 0 ? outcomes.demotions[0].at : undefined;
    let honestRestrictedAfterDemotion = 0;
    for (const [msisdn, strike] of strikes)
      if (!truth.fraud.has(msisdn) && demotedAt !== undefined && (strike.restrictedAt ?? -Infinity) > demotedAt)
        honestRestrictedAfterDemotion++;
    let caughtLabelledFirst = 0;
    for (const [msisdn, strike] of strikes)
      if (truth.fraud.has(msisdn) && strike.restrictedAt !== undefined && outcomes.labelledFirst.has(msisdn))
        caughtLabelledFirst++;
    return {
      policy,
      honestCallers,
      honestSuspended,
      honestSuspendedRate: rate(honestSuspended, honestCallers),
      honestRestricted,
      honestRestrictedRate: rate(honestRestricted, honestCallers),
      heavyCallers,
      heavySuspended,
      heavySuspendedRate: rate(heavySuspended, heavyCallers),
      heavyRestricted,
      heavyRestrictedRate: rate(heavyRestricted, heavyCallers),
      fraudActive,
      fraudCaught,
      fraudCaughtRate: rate(fraudCaught, fraudActive),
      callsBeforeRestrict: distribution(callsBefore),
      detectionDelayMin: distribution(delays),
      falseReportVictims: truth.falseReportVictims?.size ?? 0,
      falseReportVictimsRestricted,
      probersActive,
      probersCaught,
      groups,
      termsLapsed: outcomes.termsLapsed,
      clearances: outcomes.clearances,
      fraudCalls: { ...outcomes.fraudCalls },
      caughtLabelledFirst,
      honestCalls: { ...outcomes.honestCalls },
      honestRestrictedAfterDemotion: demotedAt === undefined ? null : honestRestrictedAfterDemotion,
      essentialCalls: { ...outcomes.essentialCalls },
      reviews: outcomes.reviews,
      demotions: [...outcomes.demotions],
    };
  }
}

interface Outcomes {
  termsLapsed: number;
  clearances: number;
  fraudCalls: { placed: number; unlabelled: number; labelled: number; blocked: number };
  honestCalls: { placed: number; labelled: number; blocked: number };
  /** Fraud numbers with a labelled call while not yet restricted. */
  labelledFirst: Set<Msisdn>;
  essentialCalls: { tried: number; refused: number };
  reviews: number;
  demotions: { reason: string; at: number; mistakes: number; actions: number }[];
}

function emptyOutcomes(): Outcomes {
  return {
    termsLapsed: 0,
    clearances: 0,
    fraudCalls: { placed: 0, unlabelled: 0, labelled: 0, blocked: 0 },
    honestCalls: { placed: 0, labelled: 0, blocked: 0 },
    labelledFirst: new Set(),
    essentialCalls: { tried: 0, refused: 0 },
    reviews: 0,
    demotions: [],
  };
}

/** The numbers a restricted person must still reach: the police and their carrier's customer service. */
const ESSENTIAL_TRIES = ['110', '10086'] as const;

/**
 * A rule mis-tuned on purpose (`default@4` with a new segment weighing much), run in shadow beside the default
 * (`default@5`; kept on default@4 so that mistuned@1 means what it meant): a new segment
 * alone weighs 0.7 and weak evidence may restrict, so honest numbers in new
 * segments are restricted; the police clear them and its error budget must
 * demote NEW_SEGMENT.
 */
export const MISTUNED_SHADOW: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY_V4,
  name: 'mistuned',
  version: 1,
  description: 'default@4 with NEW_SEGMENT weighing 0.7 and weak evidence allowed to restrict (a deliberate mistake).',
  weights: { ...DEFAULT_POLICY_V4.weights, [ReasonCode.NewSegment]: 0.7 },
  gates: { ...DEFAULT_POLICY_V4.gates, weakEvidenceCap: Action.Restrict },
});

/** How long after an honest number's restriction the benchmark's police clear it (it appealed, they verified). */
const CLEAR_AFTER_MS = 4 * 3_600_000;

/**
 * The police of the benchmark: they clear every honest number a ladder restricts
 * or suspends (active or shadow: a shadow's would-be restriction is checked
 * against what the police find), four hours later, as a `police_clear` event.
 * Each engine has its own (what is restricted differs by policy); decisions
 * come in time order, so the clearances do too.
 */
class BenchPolice {
  private readonly due: { at: number; msisdn: Msisdn }[] = [];
  private readonly pending = new Set<Msisdn>();

  constructor(private readonly fraud: ReadonlySet<Msisdn>) {}

  saw(d: Decision): void {
    if (ladderLevel(d.action) < RESTRICT || this.fraud.has(d.msisdn) || this.pending.has(d.msisdn)) return;
    this.pending.add(d.msisdn);
    this.due.push({ at: d.at + CLEAR_AFTER_MS, msisdn: d.msisdn });
  }

  /** The clearances due by `at`, oldest first, taken. */
  *dueBy(at: number): Generator<CarrierEvent> {
    while (this.due.length > 0 && this.due[0].at <= at) {
      const { at: clearedAt, msisdn } = this.due.shift() as { at: number; msisdn: Msisdn };
      this.pending.delete(msisdn);
      yield { type: 'police_clear', at: clearedAt, msisdn };
    }
  }
}

/** What the simulated population is made of; the report repeats it. */
const POPULATION_SETTINGS = [
  'subscribers',
  'days',
  'heavyPerMille',
  'fraudPerMille',
  'seed',
  'extras',
  'leastHarmPerMille',
] as const;

export interface QualityOptions {
  subscribers: number;
  days: number;
  heavyPerMille: number;
  fraudPerMille: number;
  seed: number;
  /**
   * The simulator's extra categories (every kind of honest heavy caller, every
   * fraud pattern, false reporters, threshold probers).
   */
  extras: boolean;
  /** With `extras`: the least-harm categories per 1,000 subscribers (population-extras.ts); 0 leaves them out. */
  leastHarmPerMille: number;
  /** The policies compared, each active in an engine of its own: naive and default@2 to @5 unless given. */
  policies?: readonly PolicyDocument[];
  /**
   * A policy run in shadow beside the last of `policies`, in an engine of its
   * own, its would-be decisions reported as a column of their own (MISTUNED_SHADOW
   * unless given; null: none).
   */
  shadow?: PolicyDocument | null;
}

type PopulationSettings = Pick<QualityOptions, (typeof POPULATION_SETTINGS)[number]>;

export interface QualityReport {
  population: PopulationSettings & {
    events: number;
    fraud: number;
    heavy: number;
    falseReportVictims: number;
    probers: number;
  };
  seconds: { simulate: number; analyse: number };
  policies: Record<string, PolicyQuality>;
}

export const DEFAULT_QUALITY_OPTIONS: QualityOptions = {
  subscribers: 100_000,
  days: 3,
  heavyPerMille: 5,
  fraudPerMille: 2,
  seed: 1,
  extras: true,
  leastHarmPerMille: 0.12,
};

const LEAST_HARM_GROUPS: readonly { label: string; kinds: readonly string[]; fraud: boolean }[] = [
  { label: 'people staying at listed cells restricted', kinds: ['tour_guide', 'shop_owner', 'resident'], fraud: false },
  { label: 'coach tourists passing a listed cell restricted', kinds: ['coach'], fraud: false },
  { label: 'scams with victims on other networks caught', kinds: ['reported_other_networks'], fraud: true },
  { label: 'crews working a listed cell caught', kinds: ['cell_crew'], fraud: true },
];

/**
 * Simulates the population, then feeds every event once to one engine per
 * policy (each with the policy active, so each measures with its own thresholds).
 */
export function runQuality(options: QualityOptions): QualityReport {
  const policies = options.policies ?? [
    NAIVE_POLICY,
    DEFAULT_POLICY_V2,
    DEFAULT_POLICY_V3,
    DEFAULT_POLICY_V4,
    DEFAULT_POLICY,
  ];
  const t0 = performance.now();
  const pop = fixtures.population({
    subscribers: options.subscribers,
    days: options.days,
    heavyPerMille: options.heavyPerMille,
    fraudPerMille: options.fraudPerMille,
    seed: options.seed,
    extras: options.extras && { leastHarmPerMille: options.leastHarmPerMille },
  });
  const t1 = performance.now();
  const shadow = options.shadow === undefined ? MISTUNED_SHADOW : options.shadow;
  const engines = policies.map((policy) => ({
    name: policyLabel(policy),
    /** Whose decisions make the column: the active policy's, or (for the shadow's column) the shadow's. */
    ofShadow: false,
    engine: new AnalysisEngine({ policy }),
    police: new BenchPolice(pop.fraud),
  }));
  if (shadow) {
    const active = policies[policies.length - 1];
    const label = `${policyLabel(shadow)} (shadow)`;
    engines.push({
      name: label,
      ofShadow: true,
      engine: new AnalysisEngine({ policy: active, shadow }),
      police: new BenchPolice(pop.fraud),
    });
  }
  const tracker = new QualityTracker(engines.map((e) => e.name));
  /** One engine's decisions and demotions: the police see them all, the column counts its own kind. */
  const take = ({ name, ofShadow, engine, police }: (typeof engines)[number], result: EngineResult) => {
    for (const d of result.decisions) {
      police.saw(d);
      if (d.shadow !== ofShadow) continue;
      tracker.decision(name, d);
      if (ladderLevel(d.action) >= RESTRICT && d.previous !== d.action)
        for (const callee of ESSENTIAL_TRIES)
          tracker.essentialCall(name, judgeCall(engine, d.msisdn, callee, d.at).verdict === 'BLOCK');
    }
    for (const demotion of result.demotions ?? []) if (demotion.shadow === ofShadow) tracker.demotion(name, demotion);
  };
  for (const event of pop.events) {
    if (event.type === 'call') tracker.call(event.caller, event.at);
    for (const entry of engines) {
      const { engine, police } = entry;
      for (const clearance of police.dueBy(event.at)) take(entry, engine.process(clearance));
      // What call setup answered the call just before it was placed (the active policy decides; not a shadow column).
      if (!entry.ofShadow && event.type === 'call') {
        const { verdict } = judgeCall(engine, event.caller, event.callee, event.at);
        if (pop.fraud.has(event.caller)) tracker.fraudCall(entry.name, event.caller, verdict);
        else tracker.honestCall(entry.name, verdict);
      }
      take(entry, engine.process(event));
    }
  }
  const t2 = performance.now();
  const truth: Truth = {
    fraud: pop.fraud,
    heavy: pop.heavy,
    falseReportVictims: new Set(pop.labels.falseReportVictims),
    probers: new Set(pop.labels.probers),
    groups: LEAST_HARM_GROUPS.map((g) => ({
      label: g.label,
      fraud: g.fraud,
      members: new Set(
        g.kinds.flatMap((kind) => (g.fraud ? pop.labels.fraudByPattern[kind] : pop.labels.leastHarmByKind[kind]) ?? []),
      ),
    })).filter((g) => g.members.size > 0),
  };
  return {
    population: {
      ...(Object.fromEntries(POPULATION_SETTINGS.map((key) => [key, options[key]])) as PopulationSettings),
      events: pop.events.length,
      fraud: pop.fraud.size,
      heavy: pop.heavy.size,
      falseReportVictims: pop.labels.falseReportVictims.length,
      probers: pop.labels.probers.length,
    },
    seconds: { simulate: (t1 - t0) / 1000, analyse: (t2 - t1) / 1000 },
    policies: Object.fromEntries(engines.map(({ name }) => [name, tracker.summarize(name, truth)])),
  };
}

const pct = (r: number) => `${(r * 100).toFixed(2)}%`;
const num = (v: number | null, digits = 0) => (v === null ? '–' : v.toFixed(digits));

/** The rows of the table: a label and one cell per policy. */
export function tableRows(report: QualityReport): { label: string; cells: string[] }[] {
  const qs = Object.values(report.policies);
  const row = (label: string, cell: (q: PolicyQuality) => string) => ({ label, cells: qs.map(cell) });
  return [
    row('honest subscribers suspended', (q) => `${q.honestSuspended} (${pct(q.honestSuspendedRate)})`),
    row(
      'honest subscribers restricted (RESTRICT or worse)',
      (q) => `${q.honestRestricted} (${pct(q.honestRestrictedRate)})`,
    ),
    row(
      'honest heavy callers suspended',
      (q) => `${q.heavySuspended} of ${q.heavyCallers} (${pct(q.heavySuspendedRate)})`,
    ),
    row(
      'honest heavy callers restricted',
      (q) => `${q.heavyRestricted} of ${q.heavyCallers} (${pct(q.heavyRestrictedRate)})`,
    ),
    row(
      'fraud numbers caught (RESTRICT or worse)',
      (q) => `${q.fraudCaught} of ${q.fraudActive} (${pct(q.fraudCaughtRate)})`,
    ),
    row(
      'calls before restriction, median / p90',
      (q) => `${num(q.callsBeforeRestrict.median, 1)} / ${num(q.callsBeforeRestrict.p90, 1)}`,
    ),
    row(
      'detection delay, median / p90 (min)',
      (q) => `${num(q.detectionDelayMin.median, 1)} / ${num(q.detectionDelayMin.p90, 1)}`,
    ),
    ...(report.population.extras
      ? [
          row('false-report victims restricted', (q) => `${q.falseReportVictimsRestricted} of ${q.falseReportVictims}`),
          row('threshold probers caught', (q) => `${q.probersCaught} of ${q.probersActive}`),
        ]
      : []),
    ...(qs[0]?.groups ?? []).map((g, i) => row(g.label, (q) => `${q.groups[i].restricted} of ${q.groups[i].members}`)),
    row('terms lapsed to WARN (TERM_LAPSED)', (q) => String(q.termsLapsed)),
    row('fraud calls that reached a callee unlabelled', ({ fraudCalls: c }) =>
      c.placed === 0 ? '–' : `${c.unlabelled} of ${c.placed} (${pct(rate(c.unlabelled, c.placed))})`,
    ),
    row('honest calls labelled / blocked', ({ honestCalls: c }) =>
      c.placed === 0 ? '–' : `${c.labelled} / ${c.blocked} of ${c.placed.toLocaleString('en')}`,
    ),
    row('caught fraud numbers labelled before restriction', (q) =>
      q.fraudCalls.placed === 0 ? '–' : `${q.caughtLabelledFirst} of ${q.fraudCaught}`,
    ),
    row(
      'calls to 110 / 10086 refused at a restriction',
      (q) => `${q.essentialCalls.refused} of ${q.essentialCalls.tried}`,
    ),
    row('suspensions held for a person (REVIEW_PENDING)', (q) => String(q.reviews)),
    row('rules demoted by their error budget', (q) =>
      q.demotions.length === 0 ? '0' : q.demotions.map((d) => `${d.reason} (${d.mistakes} of ${d.actions})`).join(', '),
    ),
    row('honest restricted after its first demotion', (q) =>
      q.honestRestrictedAfterDemotion === null ? '–' : String(q.honestRestrictedAfterDemotion),
    ),
  ];
}

export function formatTable(report: QualityReport): string {
  const names = Object.keys(report.policies);
  const rows = tableRows(report);
  return textTable(
    ['', ...names],
    rows.map((r) => [r.label, ...r.cells]),
    (i) => i > 0,
  ).join('\n');
}

export function markdownTable(report: QualityReport): string {
  const names = Object.keys(report.policies);
  const rows = tableRows(report);
  return [
    `| | ${names.map((n) => `\`${n}\``).join(' | ')} |`,
    `|---|${names.map(() => '---:').join('|')}|`,
    ...rows.map((r) => `| ${r.label} | ${r.cells.join(' | ')} |`),
  ].join('\n');
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** A self-contained HTML page: one small inline-SVG bar panel per figure, the policies side by side. */
export function chartHtml(report: QualityReport, meta: { date: string; machine: string }): string {
  const qs = Object.values(report.policies);
  const colours = ['#c0392b', '#2471a3', '#7d3c98', '#148f77'];
  const panels: {
    title: string;
    unit: string;
    value: (q: PolicyQuality) => number | null;
    label: (q: PolicyQuality) => string;
  }[] = [
    {
      title: 'Honest subscribers suspended',
      unit: '%',
      value: (q) => q.honestSuspendedRate * 100,
      label: (q) => `${q.honestSuspended} (${pct(q.honestSuspendedRate)})`,
    },
    {
      title: 'Honest subscribers restricted',
      unit: '%',
      value: (q) => q.honestRestrictedRate * 100,
      label: (q) => `${q.honestRestricted} (${pct(q.honestRestrictedRate)})`,
    },
    {
      title: 'Honest heavy callers restricted',
      unit: '%',
      value: (q) => q.heavyRestrictedRate * 100,
      label: (q) => `${q.heavyRestricted} of ${q.heavyCallers}`,
    },
    {
      title: 'Fraud numbers caught',
      unit: '%',
      value: (q) => q.fraudCaughtRate * 100,
      label: (q) => `${q.fraudCaught} of ${q.fraudActive}`,
    },
    {
      title: 'Calls before restriction (median)',
      unit: 'calls',
      value: (q) => q.callsBeforeRestrict.median,
      label: (q) => num(q.callsBeforeRestrict.median, 1),
    },
    {
      title: 'Detection delay (median)',
      unit: 'min',
      value: (q) => q.detectionDelayMin.median,
      label: (q) => `${num(q.detectionDelayMin.median, 1)} min`,
    },
  ];
  const W = 320;
  const barH = 26;
  const left = 80;
  const svg = panels.map((panel) => {
    const max = Math.max(1e-9, ...qs.map((q) => panel.value(q) ?? 0));
    const H = 34 + qs.length * (barH + 8);
    const bars = qs.map((q, i) => {
      const v = panel.value(q);
      const w = v === null ? 0 : Math.max(1, ((W - left - 90) * v) / max);
      const y = 30 + i * (barH + 8);
      return (
        `<text x="${left - 6}" y="${y + 17}" text-anchor="end">${escapeHtml(q.policy)}</text>` +
        `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${colours[i % colours.length]}"/>` +
        `<text x="${(left + w + 6).toFixed(1)}" y="${y + 17}">${escapeHtml(panel.label(q))}</text>`
      );
    });
    return (
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" ` +
      `aria-label="${escapeHtml(panel.title)}">` +
      `<text x="0" y="16" font-weight="bold">${escapeHtml(panel.title)} (${panel.unit})</text>${bars.join('')}</svg>`
    );
  });
  const p = report.population;
  const title = `Quality benchmark: ${qs.map((q) => escapeHtml(q.policy)).join(' vs ')}`;
  const style =
    'body{font:14px system-ui,sans-serif;margin:24px;color:#222}' +
    'svg{margin:8px 16px 8px 0;font:13px system-ui,sans-serif;vertical-align:top}' +
    'table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd}' +
    'td:not(:first-child){text-align:right}';
  const population =
    `${p.subscribers.toLocaleString('en')} subscribers over ${p.days} days ` +
    `(${p.events.toLocaleString('en')} events, ${p.heavy} honest heavy callers, ${p.fraud} fraud numbers, ` +
    `seed ${p.seed}); ${escapeHtml(meta.machine)}; ${escapeHtml(meta.date)}.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>${style}</style>
</head><body>
<h1>Quality benchmark</h1>
<p>${population}</p>
<div>${svg.join('\n')}</div>
<table><tr><th></th>${qs.map((q) => `<th>${escapeHtml(q.policy)}</th>`).join('')}</tr>
${tableRows(report)
  .map((r) => `<tr><td>${escapeHtml(r.label)}</td>${r.cells.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`)
  .join('\n')}
</table>
</body></html>
`;
}
