import { AnalysisEngine } from '../engine';
import { cellCrew, highRiskCellWorker, STAYING_PEOPLE, touristCoach, type Fixture } from '../fixtures';
import type { Decision } from '../ladder';
import { Action, DEFAULT_POLICY_V2, ladderLevel, validatePolicy, type PolicyDocument } from '../policy';
import { ReasonCode } from '../reasons';

/** default@2 with stays weighed by the calls made there (what a later default could be). */
const WEIGHING_STAYS: PolicyDocument = validatePolicy({
  ...DEFAULT_POLICY_V2,
  name: 'weighing-stays',
  version: 1,
  thresholds: {
    ...DEFAULT_POLICY_V2.thresholds,
    highRiskActivity: { ...DEFAULT_POLICY_V2.thresholds.highRiskActivity, fraudLikeOnly: true },
  },
});

/** Each subject's worst step and decisions (the subjects of a group fixture, or its one subject). */
function run(fixture: Fixture & { members?: string[] }, policy: PolicyDocument) {
  const engine = new AnalysisEngine({ policy });
  const decisions: Decision[] = [];
  for (const event of fixture.events) decisions.push(...engine.process(event).decisions);
  const subjects = new Set<string>(fixture.members ?? [fixture.subject]);
  const own = decisions.filter((d) => subjects.has(d.msisdn));
  const worst = own.reduce((w, d) => (ladderLevel(d.action) > ladderLevel(w) ? d.action : w), Action.None);
  const worstOf = (m: string) =>
    own
      .filter((d) => d.msisdn === m)
      .reduce((w, d) => (ladderLevel(d.action) > ladderLevel(w) ? d.action : w), Action.None);
  return { decisions: own, worst, worstOf };
}

const staying = STAYING_PEOPLE.map((make) => make());

describe('HIGH_RISK_CELL_ACTIVITY weighed by what is done there', () => {
  const table: string[] = [];
  afterAll(() => process.stdout.write(`\nworst step (default@2 / fraudLikeOnly):\n${table.join('\n')}\n`));

  it.each(staying.map((p) => [p.name, p] as const))('%s is at most monitored with fraudLikeOnly', (name, person) => {
    const today = run(person, DEFAULT_POLICY_V2);
    const weighed = run(person, WEIGHING_STAYS);
    table.push(`  ${name.padEnd(44)} ${today.worst.padStart(8)} / ${weighed.worst}`);
    expect(ladderLevel(weighed.worst)).toBeLessThanOrEqual(ladderLevel(Action.Monitor));
    expect(weighed.decisions.flatMap((d) => d.reasons)).not.toContain(ReasonCode.HighRiskCellActivity);
  });

  it('today, the stay and those ordinary calls warn each of them, and restrict the guide', () => {
    for (const person of staying) {
      const { decisions, worst } = run(person, DEFAULT_POLICY_V2);
      expect(ladderLevel(worst)).toBeGreaterThanOrEqual(ladderLevel(Action.Warn));
      expect(decisions.at(-1)?.reasons).toContain(ReasonCode.HighRiskCellActivity);
    }
    expect(run(staying[0], DEFAULT_POLICY_V2).worst).toBe(Action.Restrict);
  });

  it('a coach of 40 tourists passing a listed cell is untouched', () => {
    const coach = touristCoach();
    expect(coach.members).toHaveLength(40);
    for (const policy of [DEFAULT_POLICY_V2, WEIGHING_STAYS]) expect(run(coach, policy).decisions).toEqual([]);
  });

  it('a crew working a listed cell is still caught, the cell among the reasons', () => {
    const crew = cellCrew();
    const worker = highRiskCellWorker();
    for (const policy of [DEFAULT_POLICY_V2, WEIGHING_STAYS]) {
      const result = run(crew, policy);
      for (const m of crew.members)
        expect(ladderLevel(result.worstOf(m))).toBeGreaterThanOrEqual(ladderLevel(Action.Restrict));
      for (const fixture of [crew, worker]) {
        const { decisions } = run(fixture, policy);
        const restricted = decisions.find((d) => ladderLevel(d.action) >= ladderLevel(Action.Restrict));
        expect(restricted?.reasons).toContain(ReasonCode.HighRiskCellActivity);
      }
    }
    const weighed = run(worker, WEIGHING_STAYS);
    table.push(`  ${worker.name.padEnd(44)} ${run(worker, DEFAULT_POLICY_V2).worst.padStart(8)} / ${weighed.worst}`);
    const crewToday = run(crew, DEFAULT_POLICY_V2).worst;
    table.push(`  ${crew.name.padEnd(44)} ${crewToday.padStart(8)} / ${run(crew, WEIGHING_STAYS).worst}`);
  });
});
