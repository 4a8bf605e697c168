import { OUT_ANSWERED, OUT_CALLED_BACK, OUT_NEW_CONTACT, OUT_SMS } from '../activity-store';
import { defineSignal, optionalGroup, orElse, SignalKind, VOLUME_ADVICE } from './signal';

/**
 * Calls to strangers that nobody returns: over the last 24 h, calls to numbers
 * never contacted before, fewer than `answerRate` of them answered, and not one
 * of those numbers called or texted back. The value is how many such calls;
 * with any answer back, or answered often enough, it is 0.
 *
 * It tells a burst from a stranger's number (few answer, nobody calls a scammer
 * back) from honest work calling strangers: a courier's or rider's customers
 * answer and call back about a missed call, a new number's friends answer. The
 * answer back must come from a number the subscriber called, so a call from some
 * other phone does not hide a burst (an accomplice dialled among the strangers
 * and calling back does; the other reasons still weigh). It reads the shared
 * memory of the last calls, so it counts at most that many (32 by default). A
 * volume signal: a declared courier's or enterprise's multiplier raises its
 * threshold.
 */
export const unreturnedCalls = defineSignal({
  key: 'UnreturnedCalls',
  code: 'UNRETURNED_CALLS',
  text: {
    kind: SignalKind.Behaviour,
    zh: '大量拨打陌生号码，接通很少且无人回电',
    en: 'many calls to strangers, few answered and none returned',
    ...VOLUME_ADVICE,
  },
  volume: true,
  thresholds: { unreturnedCalls: optionalGroup({ calls: orElse(15), answerRate: orElse(0.5) }) },
  windows: { unreturned_calls_24h: 86_400 },
  features: { unreturnedCalls: 0 },
  measure(m, t, f) {
    const { outFlags } = m.store;
    let strangers = 0;
    let answered = 0;
    let returned = 0;
    for (let j = 0; j < m.recentCount; j++) {
      const flags = outFlags[m.recent[j]];
      if ((flags & (OUT_SMS | OUT_NEW_CONTACT)) !== OUT_NEW_CONTACT) continue;
      strangers++;
      if (flags & OUT_ANSWERED) answered++;
      if (flags & OUT_CALLED_BACK) returned++;
    }
    const few = strangers > 0 && answered < t.unreturnedCalls.answerRate * strangers;
    f.unreturnedCalls = few && returned === 0 ? strangers : 0;
  },
  assess(f, t, a) {
    a.add('unreturned_calls_24h', f.unreturnedCalls, t.unreturnedCalls.calls * a.volume);
  },
});
