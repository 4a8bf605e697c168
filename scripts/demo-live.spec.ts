import { Action, AnalysisEngine, DEFAULT_POLICY, type Decision } from '@app/domain';
import { liveScene, SCENE_DWELL_MS } from './demo-live';

describe(liveScene.name, () => {
  const now = Date.UTC(2026, 10, 29, 12, 0);
  const scene = liveScene(now);

  function play(listed: boolean, events = scene.events): Decision[] {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY });
    // As the administration's list reaches the carrier: the cell counts from the moment it is listed.
    if (listed) engine.setHighRiskCells([{ cell: scene.cell, from: now - 5_000, until: Number.POSITIVE_INFINITY }]);
    return events
      .flatMap((event) => engine.process(event).decisions)
      .filter((d) => d.msisdn === scene.subject && !d.shadow);
  }
  const codes = (d: Decision | undefined): string[] => d?.reasons ?? [];

  it('is suspended under the default policy for its activity at the listed cell, citing the cell', () => {
    const decisions = play(true);
    const suspension = decisions.find((d) => d.action === Action.Suspend);
    expect(suspension).toBeDefined();
    // A crew that works from the cell: its activity there, not only its presence.
    expect(codes(suspension)).toContain('HIGH_RISK_CELL_ACTIVITY');
    expect(suspension!.evidence.cells.length).toBeGreaterThan(0);
    expect(suspension!.evidence.cells.every((c) => c.cell === scene.cell)).toBe(true);
    // Not for being there: for the calls made after the hour there.
    expect(suspension!.at).toBeGreaterThan(scene.events.find((e) => e.type === 'call')!.at);
  });

  it('needs the stay: the same calls made on arrival cite no activity at the cell', () => {
    const arriving = scene.events
      .filter((e) => e.type !== 'location' || e.at === now)
      .map((e) => (e.type === 'call' || e.type === 'report' ? { ...e, at: e.at - SCENE_DWELL_MS + 1000 } : e))
      .sort((a, b) => a.at - b.at);
    const decisions = play(true, arriving);
    expect(decisions.length).toBeGreaterThan(0);
    expect(decisions.flatMap(codes)).not.toContain('HIGH_RISK_CELL_ACTIVITY');
  });

  it("cites no cell when the cell is not listed: the cells in the evidence come from the administration's list", () => {
    const decisions = play(false);
    expect(decisions.map((d) => d.action)).toContain(Action.Suspend);
    expect(decisions.every((d) => d.evidence.cells.length === 0)).toBe(true);
  });

  it('stays an hour at the cell, seen at most 30 minutes apart, then dials; in order; new numbers each minute', () => {
    expect(scene.events[0].at).toBe(now);
    const sightings = scene.events.filter((e) => e.type === 'location').map((e) => e.at);
    const calls = scene.events.filter((e) => e.type === 'call').map((e) => e.at);
    expect(sightings[0]).toBe(now);
    for (const [i, at] of [...sightings.slice(1), calls[0]].entries())
      expect(at - sightings[i]).toBeLessThanOrEqual(30 * 60_000);
    expect(calls[0] - now).toBeGreaterThanOrEqual(DEFAULT_POLICY.thresholds.highRiskActivity!.minDwellMin * 60_000);
    expect(scene.events.at(-1)!.at - calls[0]).toBeLessThan(60_000);
    expect(scene.events.every((e, i) => i === 0 || e.at >= scene.events[i - 1].at)).toBe(true);
    expect(liveScene(now + 60_000).subject).not.toBe(scene.subject);
    expect(liveScene(now + 1_000).subject).toBe(scene.subject);
  });
});
