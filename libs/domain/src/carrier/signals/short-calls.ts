import { OUT_ANSWERED, OUT_SMS } from '../activity-store';
import { defineSignal, group, MISUSE_ADVICE, REQUIRED, SignalKind } from './signal';

/** Share of answered calls shorter than `maxSec`, once `minAnswered` calls were answered (24 h). */
export const shortCalls = defineSignal({
  key: 'ShortCalls',
  code: 'SHORT_CALLS',
  text: {
    kind: SignalKind.Behaviour,
    zh: '大量接通后数秒即挂断的通话',
    en: 'many calls hung up within seconds',
    ...MISUSE_ADVICE,
  },
  thresholds: { shortCalls: group({ maxSec: REQUIRED, share: REQUIRED, minAnswered: REQUIRED }) },
  windows: { short_call_share_24h: 86_400 },
  features: { shortAnswered: 0 },
  measure(m, t, f) {
    const { outFlags, outDuration } = m.store;
    let short = 0;
    for (let j = 0; j < m.recentCount; j++) {
      const i = m.recent[j];
      if ((outFlags[i] & (OUT_SMS | OUT_ANSWERED)) === OUT_ANSWERED && outDuration[i] < t.shortCalls.maxSec) short++;
    }
    f.shortAnswered = short;
  },
  assess(f, t, a) {
    if (f.answeredRecent >= t.shortCalls.minAnswered)
      a.add('short_call_share_24h', f.shortAnswered / f.answeredRecent, t.shortCalls.share);
  },
});
