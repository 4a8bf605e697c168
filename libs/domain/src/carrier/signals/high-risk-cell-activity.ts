import { OUT_HIGH_RISK_DWELL } from '../activity-store';
import { defineSignal, group, orElse, REQUIRED, SignalKind } from './signal';

/**
 * Calls or texts from high-risk cells in 24 h, each made after staying
 * `minDwellMin` at such a cell; a stay continues across sightings at most
 * `dwellGapMin` apart. The engine flags such calls as it records them.
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
  thresholds: { highRiskActivity: group({ calls: REQUIRED, minDwellMin: REQUIRED, dwellGapMin: orElse(30) }) },
  windows: { calls_at_high_risk_cells_24h: 86_400 },
  features: { highRiskActivity: 0 },
  measure(m, _t, f) {
    const { outFlags } = m.store;
    let calls = 0;
    for (let j = 0; j < m.recentCount; j++) if (outFlags[m.recent[j]] & OUT_HIGH_RISK_DWELL) calls++;
    f.highRiskActivity = calls;
  },
  assess(f, t, a) {
    a.add('calls_at_high_risk_cells_24h', f.highRiskActivity, t.highRiskActivity.calls);
  },
});
