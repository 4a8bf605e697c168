import { OUT_ANSWERED, OUT_CALLED_BACK, OUT_HIGH_RISK_DWELL, OUT_NEW_CONTACT } from '../activity-store';
import { defineSignal, group, offUnlessSet, orElse, REQUIRED, SignalKind } from './signal';

/**
 * Calls or texts from high-risk cells in 24 h, each made after staying
 * `minDwellMin` at such a cell; a stay continues across sightings at most
 * `dwellGapMin` apart. The engine flags such calls as it records them.
 *
 * With `fraudLikeOnly`, a stay is weighed by what is done there: only calls that
 * look like fraud count, those to a number never contacted before, unanswered or
 * answered for at most `shortSec`, and never called back. A guide, a shop owner
 * or a resident making ordinary calls there (answered, called back, to known
 * contacts) counts none, however long the stay.
 */
export const highRiskCellActivity = defineSignal({
  key: 'HighRiskCellActivity',
  code: 'HIGH_RISK_CELL_ACTIVITY',
  text: {
    kind: SignalKind.Location,
    zh: '长时间在诈骗高发基站下拨打电话',
    en: 'calls made while staying at a high-fraud-risk base station',
    adviceZh: '如您只是途经，请联系客服说明行程；途经本身不会导致停机。',
    adviceEn:
      'If you were only passing through, tell customer service; passing through alone never leads to suspension.',
  },
  thresholds: {
    highRiskActivity: group({
      calls: REQUIRED,
      minDwellMin: REQUIRED,
      dwellGapMin: orElse(30),
      fraudLikeOnly: offUnlessSet(),
      shortSec: orElse(10),
    }),
  },
  windows: { calls_at_high_risk_cells_24h: 86_400 },
  features: { highRiskActivity: 0 },
  measure(m, t, f) {
    const { outFlags, outDuration } = m.store;
    const { fraudLikeOnly, shortSec } = t.highRiskActivity;
    let calls = 0;
    for (let j = 0; j < m.recentCount; j++) {
      const i = m.recent[j];
      const flags = outFlags[i];
      if (!(flags & OUT_HIGH_RISK_DWELL)) continue;
      if (fraudLikeOnly) {
        // A stranger's, never called back, and nobody talked: unanswered (a text has no answer) or very short.
        if ((flags & (OUT_NEW_CONTACT | OUT_CALLED_BACK)) !== OUT_NEW_CONTACT) continue;
        if (flags & OUT_ANSWERED && outDuration[i] > shortSec) continue;
      }
      calls++;
    }
    f.highRiskActivity = calls;
  },
  assess(f, t, a) {
    a.add('calls_at_high_risk_cells_24h', f.highRiskActivity, t.highRiskActivity.calls);
  },
});
