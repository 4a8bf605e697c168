import { C_CALLS } from '../activity-store';
import { defineSignal, required, SignalKind, VOLUME_ADVICE } from './signal';

/** Many outgoing calls in 10 or in 90 minutes; the stronger of the two windows speaks for the reason. */
export const callBurst = defineSignal({
  key: 'CallBurst',
  code: 'CALL_BURST',
  text: {
    kind: SignalKind.Behaviour,
    zh: '短时间内外呼次数异常多',
    en: 'unusually many outgoing calls in a short time',
    ...VOLUME_ADVICE,
  },
  volume: true,
  thresholds: { calls10m: required(), calls90m: required() },
  windows: { calls_10m: 600, calls_90m: 5400 },
  features: { calls10m: 0, calls90m: 0 },
  measure(m, _t, f) {
    f.calls10m = m.min10[C_CALLS];
    f.calls90m = m.min90[C_CALLS];
  },
  assess(f, t, a) {
    a.addStronger('calls_10m', f.calls10m, t.calls10m * a.volume, 'calls_90m', f.calls90m, t.calls90m * a.volume);
  },
});
