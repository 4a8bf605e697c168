import { normaliseMsisdn } from '../msisdn';
import { AnalysisEngine, msisdnKey } from './engine';
import { chancesUsed, type Decision, type StoredRestore } from './ladder';
import { Action, DEFAULT_POLICY } from './policy';
import { ReasonCode } from './reasons';

const HOUR = 3_600_000;
const restore = (at: number, previous: Action, reason: ReasonCode): StoredRestore => ({
  at,
  previous,
  reasons: [reason],
});

describe(chancesUsed.name, () => {
  it('counts restores of a suspension after an ID check, oldest first; a lifted restriction uses none', () => {
    const history = [
      restore(5 * HOUR, Action.Suspend, ReasonCode.IdVerified),
      restore(2 * HOUR, Action.Restrict, ReasonCode.IdVerified),
      restore(1 * HOUR, Action.Suspend, ReasonCode.IdVerified),
    ];
    expect(chancesUsed(history, [])).toEqual([1 * HOUR, 5 * HOUR]);
  });

  it('gives back the chances used up to a mistaken restore or an upheld appeal, not later ones', () => {
    const used = [restore(1 * HOUR, Action.Suspend, ReasonCode.IdVerified)];
    const later = restore(9 * HOUR, Action.Suspend, ReasonCode.IdVerified);
    for (const reason of [ReasonCode.PoliceCleared, ReasonCode.RegistryCleared, ReasonCode.AppealUpheld])
      expect(chancesUsed([...used, restore(3 * HOUR, Action.Suspend, reason), later], [])).toEqual([9 * HOUR]);
    expect(chancesUsed([...used, later], [3 * HOUR])).toEqual([9 * HOUR]);
    expect(chancesUsed([...used, later], [1 * HOUR])).toEqual([9 * HOUR]);
    expect(chancesUsed([...used, later], [0])).toEqual([1 * HOUR, 9 * HOUR]);
  });

  it('rebuilds from the decisions what the live ladder counted', () => {
    const engine = new AnalysisEngine({ policy: DEFAULT_POLICY });
    const m = normaliseMsisdn('13900000051', 'test');
    const decisions: Decision[] = [];
    const play = (at: number) => {
      decisions.push(...engine.directive(m, Action.Suspend, at).decisions);
      decisions.push(...engine.reactivation(m, true, at + HOUR).decisions);
    };
    play(0);
    // Suspended again, then found mistaken: the chance used before is given back.
    decisions.push(...engine.directive(m, Action.Suspend, 2 * HOUR).decisions);
    decisions.push(...engine.directive(m, Action.Restore, 2.5 * HOUR).decisions);
    play(3 * HOUR);
    const restores = decisions
      .filter((d) => d.action === Action.Restore && !d.shadow)
      .map((d) => ({ at: d.at, previous: d.previous, reasons: d.reasons }));
    const live = engine.primary.standingOf(msisdnKey(m))?.chancesUsedAt;
    expect(live).toEqual([4 * HOUR]);
    expect(restores.map((r) => r.reasons[0])).toEqual(['ID_VERIFIED', 'APPEAL_UPHELD', 'ID_VERIFIED']);
    expect(chancesUsed(restores, [])).toEqual(live);
  });
});
