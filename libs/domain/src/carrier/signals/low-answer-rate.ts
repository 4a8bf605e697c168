import { C_ANSWERED, C_CALLS } from '../activity-store';
import { defineSignal, group, MISUSE_ADVICE, REQUIRED, SignalKind } from './signal';

/** Answer rate below `max` over the last 24 h, once `minCalls` calls were made. */
export const lowAnswerRate = defineSignal({
  key: 'LowAnswerRate',
  code: 'LOW_ANSWER_RATE',
  text: {
    kind: SignalKind.Behaviour,
    zh: '外呼接通率异常低',
    en: 'very few outgoing calls are answered',
    ...MISUSE_ADVICE,
  },
  thresholds: { lowAnswerRate: group({ max: REQUIRED, minCalls: REQUIRED }) },
  windows: { answer_rate_24h: 86_400 },
  features: { calls24h: 0, answered24h: 0 },
  measure(m, _t, f) {
    f.calls24h = m.hours24[C_CALLS];
    f.answered24h = m.hours24[C_ANSWERED];
  },
  assess(f, t, a) {
    const { max, minCalls } = t.lowAnswerRate;
    if (f.calls24h < minCalls || max <= 0) return;
    const rate = f.answered24h / f.calls24h;
    // The further below the threshold, the stronger (the measure falls as the evidence grows).
    if (rate < max) a.add('answer_rate_24h', rate, max, a.curve === 'step' ? 1 : 0.5 + (0.5 * (max - rate)) / max);
  },
});
