import { defineSignal, SignalKind } from './signal';

/** Police confirmed fraud on the number in the registry: suspends on its own. */
export const registryConfirmed = defineSignal({
  key: 'RegistryConfirmed',
  code: 'REGISTRY_CONFIRMED',
  text: {
    kind: SignalKind.Registry,
    zh: '公安机关确认号码涉诈',
    en: 'police confirmed fraud on this number',
    adviceZh: '如有异议，请向公安机关申请复核。',
    adviceEn: 'If you disagree, ask the police to review the case.',
  },
  suspendsAlone: true,
  thresholds: {},
  windows: { registry_confirmed: 86_400 },
  features: {},
  assess(f, _t, a) {
    if (f.registry === 'CONFIRMED') a.add('registry_confirmed', 1, 1, 1);
  },
});
