import { DAY_SEC, defineSignal, required, SignalKind } from './signal';

/** Sightings at high-risk cells in 24 h (passing through): weak evidence, never enough alone. */
export const highRiskCellPresence = defineSignal({
  key: 'HighRiskCellPresence',
  code: 'HIGH_RISK_CELL_PRESENCE',
  text: {
    kind: SignalKind.Location,
    zh: '途经诈骗高发基站',
    en: 'passed through a high-fraud-risk base station',
    adviceZh: '途经本身不会导致停机或断网。',
    adviceEn: 'Passing through alone never leads to suspension or loss of data service.',
  },
  weak: true,
  thresholds: { highRiskPresence: required() },
  windows: { high_risk_cell_sightings_24h: 86_400 },
  features: { highRiskSightings: 0 },
  measure(m, _t, f) {
    let sightings = 0;
    if (m.extra >= 0) {
      const { sightingAt, sightingCount, sightingBase } = m.store;
      const base = sightingBase[m.extra];
      for (let j = 0; j < sightingCount[m.extra]; j++) if (m.nowSec - sightingAt[base + j] < DAY_SEC) sightings++;
    }
    f.highRiskSightings = sightings;
  },
  assess(f, t, a) {
    const seen = f.highRiskSightings >= t.highRiskPresence;
    a.add('high_risk_cell_sightings_24h', f.highRiskSightings, t.highRiskPresence, seen ? 1 : 0);
  },
});
