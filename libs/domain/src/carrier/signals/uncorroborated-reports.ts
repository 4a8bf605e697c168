import { DAY_SEC, defineSignal, optional, required, SignalKind } from './signal';

/** Reports from people the number never contacted, over `uncorroboratedReportsDays` (30 unless a policy says). */
export const uncorroboratedReports = defineSignal({
  key: 'UncorroboratedReports',
  code: 'UNCORROBORATED_REPORTS',
  text: {
    kind: SignalKind.Reports,
    zh: '被未与您有通信往来的用户举报',
    en: 'reported by people who never received your calls or texts',
    adviceZh: '此类举报不会单独导致限制或停机。',
    adviceEn: 'Such reports alone never restrict or suspend a number.',
  },
  weak: true,
  thresholds: { uncorroboratedReports: required(), uncorroboratedReportsDays: optional(30) },
  windows: { uncorroborated_reports_30d: (t) => t.uncorroboratedReportsDays * DAY_SEC },
  features: { uncorroboratedReports: 0 },
  measure(m, t, f) {
    let reports = 0;
    if (m.extra >= 0) {
      const { reportAt, reportCorroborated, reportCount, reportBase } = m.store;
      const base = reportBase[m.extra];
      const within = t.uncorroboratedReportsDays * DAY_SEC;
      for (let j = 0; j < reportCount[m.extra]; j++)
        if (!reportCorroborated[base + j] && m.nowSec - reportAt[base + j] < within) reports++;
    }
    f.uncorroboratedReports = reports;
  },
  assess(f, t, a) {
    a.add('uncorroborated_reports_30d', f.uncorroboratedReports, t.uncorroboratedReports);
  },
});
