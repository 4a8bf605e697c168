import { defineSignal, required, SignalKind } from './signal';

const DAY_MS = 86_400_000;

/** A number activated less than `newNumberDays` ago: weak evidence, never enough alone. */
export const newNumber = defineSignal({
  key: 'NewNumber',
  code: 'NEW_NUMBER',
  text: {
    kind: SignalKind.Number,
    zh: '新入网号码',
    en: 'a newly activated number',
    adviceZh: '新号码本身不会导致停机；完成实名核验有助于避免误判。',
    adviceEn: 'A new number alone never leads to suspension; completing real-name verification helps.',
  },
  weak: true,
  thresholds: { newNumberDays: required() },
  windows: { number_age_days: 86_400 },
  /** Days since activation, or -1 when unknown. */
  features: { ageDays: -1 },
  measure(m, _t, f) {
    const subscriber = m.subscriber;
    f.ageDays = subscriber ? Math.max(0, (m.nowMs - subscriber.activatedAt) / DAY_MS) : -1;
  },
  assess(f, t, a) {
    if (f.ageDays >= 0 && f.ageDays < t.newNumberDays) a.add('number_age_days', f.ageDays, t.newNumberDays, 1);
  },
});
