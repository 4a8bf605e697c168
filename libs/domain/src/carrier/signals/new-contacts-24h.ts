import { C_NEW_CONTACT } from '../activity-store';
import { defineSignal, optional, SignalKind, VOLUME_ADVICE } from './signal';

/**
 * The same, sustained over a day: a caller who keeps under the short windows'
 * thresholds all day long (threshold probers). Documents written before
 * default@2 have no threshold for it, and are evaluated as they always were.
 */
export const manyNewContactsDay = defineSignal({
  key: 'ManyNewContactsDay',
  code: 'MANY_NEW_CONTACTS_24H',
  text: {
    kind: SignalKind.Behaviour,
    zh: '一天内持续拨打大量从未联系过的号码',
    en: 'calls to many numbers never contacted before, all day long',
    ...VOLUME_ADVICE,
  },
  volume: true,
  thresholds: { newContacts24h: optional() },
  windows: { new_contacts_24h: 86_400 },
  features: { newContacts24h: 0 },
  measure(m, _t, f) {
    f.newContacts24h = m.hours24[C_NEW_CONTACT];
  },
  assess(f, t, a) {
    if (t.newContacts24h !== undefined) a.add('new_contacts_24h', f.newContacts24h, t.newContacts24h * a.volume);
  },
});
