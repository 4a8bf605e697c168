import { defineSignal, group, CHECK_NOW_ADVICE, REQUIRED, SignalKind } from './signal';

/** Unanswered calls that rang at most `maxRingSec`, in 24 h (the number keeps a window counter of them). */
export const oneRingCalls = defineSignal({
  key: 'OneRingCalls',
  code: 'ONE_RING_CALLS',
  text: {
    kind: SignalKind.Behaviour,
    zh: '大量响一声即挂断的呼叫（“响一声”诈骗特征）',
    en: 'many one-ring calls (a "wangiri" pattern)',
    ...CHECK_NOW_ADVICE,
  },
  thresholds: { oneRing: group({ maxRingSec: REQUIRED, count24h: REQUIRED }) },
  windows: { one_ring_calls_24h: 86_400 },
  features: { oneRing24h: 0 },
  record(call, t) {
    return !call.isSms && !call.answered && call.durationSec <= t.oneRing.maxRingSec;
  },
  measure(m, _t, f) {
    f.oneRing24h = m.hours24[m.ownCounter];
  },
  assess(f, t, a) {
    a.add('one_ring_calls_24h', f.oneRing24h, t.oneRing.count24h);
  },
});
