import { OUT_SMS } from '../activity-store';
import { CHECK_NOW_ADVICE, defineSignal, group, REQUIRED, SignalKind } from './signal';

/** Consecutive callees whose numbers differ by at most `maxStep` (newest first, over the last 24 h). */
export const sequentialDialling = defineSignal({
  key: 'SequentialDialling',
  code: 'SEQUENTIAL_DIALLING',
  text: {
    kind: SignalKind.Behaviour,
    zh: '按号码顺序连续拨号',
    en: 'numbers dialled in sequence',
    ...CHECK_NOW_ADVICE,
  },
  thresholds: { sequentialRun: group({ length: REQUIRED, maxStep: REQUIRED }) },
  windows: { sequential_run: 86_400 },
  features: { sequentialRun: 0 },
  measure(m, t, f) {
    const store = m.store;
    const outFlags = store.outFlags;
    let run = 0;
    let previous = Number.NaN;
    for (let j = 0; j < m.recentCount; j++) {
      const i = m.recent[j];
      if (outFlags[i] & OUT_SMS) continue;
      const peer = store.outPeerOf(i);
      if (!Number.isNaN(previous) && Math.abs(previous - peer) > t.sequentialRun.maxStep) break;
      run++;
      previous = peer;
    }
    f.sequentialRun = run < 2 ? 0 : run;
  },
  assess(f, t, a) {
    a.add('sequential_run', f.sequentialRun, t.sequentialRun.length);
  },
});
