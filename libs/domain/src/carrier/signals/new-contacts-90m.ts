import { C_NEW_CONTACT } from '../activity-store';
import { defineSignal, required, SignalKind, VOLUME_ADVICE } from './signal';

/** Calls to many numbers never contacted before, within 90 minutes. */
export const manyNewContacts = defineSignal({
  key: 'ManyNewContacts',
  code: 'MANY_NEW_CONTACTS',
  text: {
    kind: SignalKind.Behaviour,
    zh: '短时间内拨打大量从未联系过的号码',
    en: 'many calls to numbers never contacted before',
    ...VOLUME_ADVICE,
  },
  volume: true,
  thresholds: { newContacts90m: required() },
  windows: { new_contacts_90m: 5400 },
  features: { newContacts90m: 0 },
  measure(m, _t, f) {
    f.newContacts90m = m.min90[C_NEW_CONTACT];
  },
  assess(f, t, a) {
    a.add('new_contacts_90m', f.newContacts90m, t.newContacts90m * a.volume);
  },
});
