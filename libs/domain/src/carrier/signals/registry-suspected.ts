import { defineSignal, SignalKind } from './signal';

/**
 * The registry lists the number as suspected. It may be our own flag echoed
 * back, so it never counts as the second kind of evidence a suspension needs.
 */
export const registrySuspected = defineSignal({
  key: 'RegistrySuspected',
  code: 'REGISTRY_SUSPECTED',
  text: {
    kind: SignalKind.Registry,
    zh: '号码被列入涉诈嫌疑名单',
    en: 'the number is listed as suspected in the fraud registry',
    adviceZh: '可申请公安机关甄别。',
    adviceEn: 'You can ask the police to verify the number.',
  },
  countsAsKind: false,
  thresholds: {},
  windows: { registry_suspected: 86_400 },
  features: {},
  assess(f, _t, a) {
    if (f.registry === 'SUSPECTED') a.add('registry_suspected', 1, 1, 1);
  },
});
