import { OUT_NEW_CONTACT, OUT_SMS } from '../activity-store';
import { defineSignal, MISUSE_ADVICE, optionalGroup, orElse, SignalKind } from './signal';

/** China Standard Time is UTC+8 all year; store times count from a UTC midnight. */
const CST_OFFSET_SEC = 8 * 3600;

/**
 * Calls at night (China Standard Time, `fromHour` to `toHour`, wrapping past
 * midnight when `fromHour` is the later) to numbers never contacted before,
 * over the last 24 h. It keeps nothing of its own: it reads the shared memory
 * of the last calls, so it counts at most that many (32 by default).
 */
export const nightCallsToStrangers = defineSignal({
  key: 'NightCallsToStrangers',
  code: 'NIGHT_CALLS_TO_STRANGERS',
  text: {
    kind: SignalKind.Behaviour,
    zh: '深夜多次拨打从未联系过的号码',
    en: 'calls at night to numbers never contacted before',
    ...MISUSE_ADVICE,
  },
  thresholds: { nightCallsToStrangers: optionalGroup({ calls: orElse(6), fromHour: orElse(0), toHour: orElse(5) }) },
  windows: { night_calls_to_strangers_24h: 86_400 },
  features: { nightCallsToStrangers: 0 },
  measure(m, t, f) {
    const { fromHour, toHour } = t.nightCallsToStrangers;
    const { outFlags, outAt } = m.store;
    let calls = 0;
    for (let j = 0; j < m.recentCount; j++) {
      const i = m.recent[j];
      if ((outFlags[i] & (OUT_SMS | OUT_NEW_CONTACT)) !== OUT_NEW_CONTACT) continue;
      const hour = Math.floor(((outAt[i] + CST_OFFSET_SEC) % 86_400) / 3600);
      if (fromHour <= toHour ? hour >= fromHour && hour < toHour : hour >= fromHour || hour < toHour) calls++;
    }
    f.nightCallsToStrangers = calls;
  },
  assess(f, t, a) {
    a.add('night_calls_to_strangers_24h', f.nightCallsToStrangers, t.nightCallsToStrangers.calls);
  },
});
