import { C_SMS } from '../activity-store';
import { defineSignal, required, SignalKind } from './signal';

/** Many texts in 10 minutes or to many recipients in 24 h; the stronger of the two speaks for the reason. */
export const smsBurst = defineSignal({
  key: 'SmsBurst',
  code: 'SMS_BURST',
  text: {
    kind: SignalKind.Behaviour,
    zh: '短时间内群发大量短信',
    en: 'a burst of text messages to many recipients',
    adviceZh: '如为企业通知短信，请使用已备案的企业短信通道。',
    adviceEn: 'Business notices must go through a registered bulk-SMS channel.',
  },
  thresholds: { sms10m: required(), smsRecipients24h: required() },
  windows: { sms_10m: 600, sms_24h: 86_400 },
  features: { sms10m: 0, sms24h: 0 },
  measure(m, _t, f) {
    f.sms10m = m.min10[C_SMS];
    f.sms24h = m.hours24[C_SMS];
  },
  assess(f, t, a) {
    a.addStronger('sms_10m', f.sms10m, t.sms10m, 'sms_24h', f.sms24h, t.smsRecipients24h);
  },
});
