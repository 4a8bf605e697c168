import { DAY_SEC, defineSignal, group, offUnlessSet, REQUIRED, SignalKind } from './signal';

/**
 * Distinct reporters the number really called or texted within `days` before
 * their report. The engine checks, at the report, the reporter's memory of who
 * called it and, with `bothSides`, the reported number's own last calls and
 * texts (its outbound memory): victims on other networks or in other provinces
 * are nobody's subscriber here, so only the caller's side shows the call.
 */
export const corroboratedReports = defineSignal({
  key: 'CorroboratedReports',
  code: 'CORROBORATED_REPORTS',
  text: {
    kind: SignalKind.Reports,
    zh: '被曾接到您来电或短信的用户举报',
    en: 'reported by people who really received your calls or texts',
    adviceZh: '如有异议，可申诉并申请公安机关甄别。',
    adviceEn: 'If you disagree, appeal and ask the police to verify the number.',
  },
  thresholds: { corroboratedReports: group({ reporters: REQUIRED, days: REQUIRED, bothSides: offUnlessSet() }) },
  windows: { corroborated_reporters: 30 * 86_400 },
  features: { corroboratedReporters: 0 },
  measure(m, t, f) {
    let reporters = 0;
    if (m.extra >= 0) {
      const { reportAt, reportCorroborated, reportCount, reportBase } = m.store;
      const base = reportBase[m.extra];
      const within = t.corroboratedReports.days * DAY_SEC;
      for (let j = 0; j < reportCount[m.extra]; j++)
        if (reportCorroborated[base + j] && m.nowSec - reportAt[base + j] < within) reporters++;
    }
    f.corroboratedReporters = reporters;
  },
  assess(f, t, a) {
    a.add('corroborated_reporters', f.corroboratedReporters, t.corroboratedReports.reporters);
  },
});
