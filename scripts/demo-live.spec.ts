import { Action, AnalysisEngine, DEFAULT_POLICY, type Decision } from '@app/domain';
import { liveScene } from './demo-live';

describe(liveScene.name, () => {
  const now = Date.UTC(2026, 10, 29, 12, 0);
  const scene = liveScene(now);

  function play(listed: boolean): Decision[] {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY });
    // As the administration's list reaches the carrier: the cell counts from the moment it is listed.
    if (listed) engine.setHighRiskCells([{ cell: scene.cell, from: now - 5_000, until: Number.POSITIVE_INFINITY }]);
    return scene.events
      .flatMap((event) => engine.process(event).decisions)
      .filter((d) => d.msisdn === scene.subject && !d.shadow);
  }

  it('is suspended under the default policy, the decision citing the listed cell', () => {
    const decisions = play(true);
    const suspension = decisions.find((d) => d.action === Action.Suspend);
    expect(suspension).toBeDefined();
    expect(suspension!.evidence.cells.length).toBeGreaterThan(0);
    expect(suspension!.evidence.cells.every((c) => c.cell === scene.cell)).toBe(true);
    // The reports are what tip it from a restriction into a suspension.
    expect(suspension!.at).toBeGreaterThan(scene.events.filter((e) => e.type === 'call').at(-1)!.at);
  });

  it("cites no cell when the cell is not listed: the cells in the evidence come from the administration's list", () => {
    const decisions = play(false);
    expect(decisions.map((d) => d.action)).toContain(Action.Suspend);
    expect(decisions.every((d) => d.evidence.cells.length === 0)).toBe(true);
  });

  it('lasts under a minute from now, in time order, with numbers that change with the minute', () => {
    expect(scene.events[0].at).toBe(now);
    expect(scene.events.at(-1)!.at - now).toBeLessThan(60_000);
    expect(scene.events.every((e, i) => i === 0 || e.at >= scene.events[i - 1].at)).toBe(true);
    expect(liveScene(now + 60_000).subject).not.toBe(scene.subject);
    expect(liveScene(now + 1_000).subject).toBe(scene.subject);
  });
});
