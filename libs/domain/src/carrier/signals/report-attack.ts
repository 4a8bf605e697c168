import { DAY_SEC, defineSignal, optional, required } from './signal';

/**
 * Many reports in a day from people the number never contacted: a likely
 * false-report attack. Not weighed in the score: the engine records it as a
 * MONITOR decision of its own, at most once every `reportAttackEveryHours`.
 */
export const reportAttack = defineSignal({
  key: 'ReportAttack',
  code: 'REPORT_ATTACK',
  text: {
    kind: 'outcome',
    zh: '短时间内收到大量无通信往来的举报，疑似恶意举报，号码受到保护',
    en: 'many reports from people never contacted: a possible false-report attack; the number is protected',
    adviceZh: '无需处理，我们已将此情况记录在案。',
    adviceEn: 'Nothing to do: this has been recorded.',
  },
  thresholds: { reportAttack24h: required(), reportAttackEveryHours: optional(24) },
  windows: { uncorroborated_reports_24h: 86_400 },
  features: { uncorroborated24h: 0 },
  measure(m, _t, f) {
    let reports = 0;
    if (m.extra >= 0) {
      const { reportAt, reportCorroborated, reportCount, reportBase } = m.store;
      const base = reportBase[m.extra];
      for (let j = 0; j < reportCount[m.extra]; j++)
        if (!reportCorroborated[base + j] && m.nowSec - reportAt[base + j] < DAY_SEC) reports++;
    }
    f.uncorroborated24h = reports;
  },
});

/** Whether the number looks like the target of a false-report attack. */
export function underReportAttack(f: { uncorroborated24h: number }, t: { reportAttack24h: number }): boolean {
  return f.uncorroborated24h >= t.reportAttack24h;
}
