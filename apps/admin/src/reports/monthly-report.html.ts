import { REASONS, type ReasonCode } from '@app/domain';
import type { ActionCounts, CarrierReport, MonthlyReport, RestoreTimes } from './monthly-report';

/**
 * The monthly report as one self-contained HTML page (no script, no external
 * resource: it prints to PDF as it is and can be published as it is).
 * Headings are bilingual, Chinese first; the figures need no translation.
 */

/** A mobile number (11 digits from 1), with or without +86 / 86 / 0086 and separators. */
export const PHONE_NUMBER = /(?<!\d)(?:(?:\+|00)?86[\s-]?)?1\d{2}[\s-]?\d{4}[\s-]?\d{4}(?!\d)/g;
export const REDACTED = '[号码已隐去 number withheld]';

/** Every text of the page goes through here: escaped, and never a phone number (any text might hold one). */
function text(value: string | number): string {
  return String(value)
    .replace(PHONE_NUMBER, REDACTED)
    .replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `中文 <span lang="en">English</span>`. */
function both(zh: string, en: string): string {
  return `${text(zh)} <span class="en" lang="en">${text(en)}</span>`;
}

function reasonName(code: string): string {
  const known = (REASONS as Readonly<Record<string, { zh: string; en: string } | undefined>>)[code as ReasonCode];
  return known
    ? `<code>${text(code)}</code><br>${both(known.zh, known.en)}`
    : `<code>${text(code)}</code>${code === 'NONE' ? `<br>${both('未注明原因', 'no reason given')}` : ''}`;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

function hours(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

function table(headings: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${empty}</p>`;
  return (
    `<table><thead><tr>${headings.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>` +
    rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('') +
    '</tbody></table>'
  );
}

const NONE = both('无', 'none');

const ACTION_HEADINGS = [
  both('风险提示', 'Warnings'),
  both('限制', 'Restrictions'),
  both('停机', 'Suspensions'),
  both('复机', 'Restorations'),
];

function actionCells(a: ActionCounts): string[] {
  return [a.warnings, a.restrictions, a.suspensions, a.restorations].map((n) => text(n));
}

function restoreCells(r: RestoreTimes): string[] {
  return [text(r.restored), text(r.stillSuspended), hours(r.hoursP50), hours(r.hoursP90)];
}

const RESTORE_HEADINGS = [
  both('已复机', 'Restored'),
  both('仍停机', 'Still suspended'),
  both('复机时长中位数（小时）', 'Hours to restore, median'),
  both('复机时长 P90（小时）', 'Hours to restore, p90'),
];

function summary(report: MonthlyReport): string {
  // A carrier's row and the totals' are the same figures; a carrier lists its demotions, the totals count them.
  const row = (label: string, f: Omit<MonthlyReport['totals'], 'demotions'>, demotions: number) => [
    `<strong>${label}</strong>`,
    ...actionCells(f.actions),
    text(f.mistaken),
    percent(f.mistakenKillRate),
    hours(f.restore.hoursP50),
    text(f.appeals.upheld),
    text(f.calleeWarnings),
    text(demotions),
  ];
  const rows = report.carriers.map((c) => row(text(c.carrier), c, c.demotions.length));
  rows.push(row(both('合计', 'Total'), report.totals, report.totals.demotions));
  return table(
    [
      both('运营商', 'Carrier'),
      ...ACTION_HEADINGS,
      both('误关停', 'Mistaken kills'),
      both('误关停率', 'Mistaken-kill rate'),
      both('复机中位时长（时）', 'Median hours to restore'),
      both('申诉成立', 'Appeals upheld'),
      both('被叫提醒', 'Callee warnings'),
      both('规则降权', 'Rule demotions'),
    ],
    rows,
    NONE,
  );
}

function carrierSection(c: CarrierReport): string {
  const reasons = table(
    [
      both('原因', 'Reason'),
      ...ACTION_HEADINGS.slice(0, 3),
      both('其中误关停', 'Of which mistaken'),
      both('误关停率', 'Mistaken-kill rate'),
      both('复机中位时长（时）', 'Median hours to restore'),
      both('复机时长 P90（时）', 'Hours to restore, p90'),
    ],
    c.reasons.map((r) => [
      reasonName(r.reason),
      text(r.warnings),
      text(r.restrictions),
      text(r.suspensions),
      text(r.mistaken),
      percent(r.mistakenKillRate),
      hours(r.restoreHoursP50),
      hours(r.restoreHoursP90),
    ]),
    both('本月无处置', 'no action this month'),
  );
  const restores = table(
    [both('复机原因', 'Restored because'), both('次数', 'Count')],
    c.restoresByReason.map((r) => [reasonName(r.reason), text(r.count)]),
    both('本月无复机', 'no restoration this month'),
  );
  const demotions = table(
    [
      both('策略', 'Policy'),
      both('规则', 'Rule'),
      both('降权时间', 'Demoted at'),
      both('误判/处置', 'Mistakes / actions'),
      both('窗口（天）', 'Window (days)'),
      both('恢复时间', 'Re-enabled at'),
    ],
    c.demotions.map((d) => [
      text(d.policy),
      reasonName(d.reason),
      text(d.demotedAt),
      `${text(d.mistakes)} / ${text(d.actions)}`,
      text(d.windowDays),
      d.reenabledAt === null ? both('仍在降权', 'still demoted') : text(d.reenabledAt),
    ]),
    both('本月无规则降权', 'no rule demoted this month'),
  );
  return `<section class="carrier" id="carrier-${text(c.carrier)}">
<h2>${text(c.carrier)}</h2>
<h3>${both('按原因的处置', 'Actions by reason')}</h3>
${reasons}
<h3>${both('误关停与复机', 'Mistaken kills and time to restore')}</h3>
${table(
  [
    both('停机', 'Suspensions'),
    both('误关停', 'Mistaken kills'),
    both('误关停率', 'Mistaken-kill rate'),
    ...RESTORE_HEADINGS,
  ],
  [[text(c.actions.suspensions), text(c.mistaken), percent(c.mistakenKillRate), ...restoreCells(c.restore)]],
  NONE,
)}
${restores}
<h3>${both('申诉及结果', 'Appeals and their outcomes')}</h3>
${table(
  [
    both('申诉成立并复机', 'Upheld: restored'),
    both('其中撤销本月停机', 'Of which reversed a suspension of this month'),
    both('驳回或确认涉诈', 'Rejected or confirmed fraud'),
  ],
  [[text(c.appeals.upheld), text(c.appeals.upheldOfMonthSuspensions), both('运营商保存', 'kept by the carrier')]],
  NONE,
)}
<h3>${both('被叫提醒', 'Callee warnings')}</h3>
<p>${both('本月向被叫用户发送的防诈提醒短信', 'Fraud-warning SMS sent to callees this month')}:
<strong data-figure="callee-warnings">${text(c.calleeWarnings)}</strong></p>
<h3>${both('误差预算降权', 'Error-budget demotions')}</h3>
<p>${both('月末仍在降权', 'Still demoted at the end of the month')}:
<strong data-figure="demotions-in-force">${text(c.demotionsInForce)}</strong></p>
${demotions}
</section>`;
}

function method(report: MonthlyReport): string {
  const items: [string, string][] = [
    [
      `统计期为中国标准时间（UTC+08:00）${report.from} 00:00 至 ${report.to} 24:00；处置按发生时间计入当日。`,
      `The period is ${report.from} 00:00 to ${report.to} 24:00 China Standard Time (UTC+08:00); ` +
        'each action counts on the day it was taken.',
    ],
    [
      '处置：运营商报送的风险提示、限制、停机、复机决定，每个决定计一次。按原因的处置：一个决定有多个原因时在每个原因下各计一次，' +
        '且运营商报送的当日汇总数优先于逐条报送的计数，因此各原因之和可能大于处置总数。',
      'Actions: the warnings, restrictions, suspensions and restorations the carriers reported, each decision once. ' +
        "Actions by reason: a decision counts under each of its reasons, and a carrier's own daily count for a " +
        'reason replaces the count of the decisions it fed one by one, so the reasons may add up to more than the ' +
        'actions.',
    ],
    [
      `误关停：本月的停机在 ${report.mistakeWindowDays} 天内因公安甄别（POLICE_CLEARED）、涉诈名单解除` +
        '（REGISTRY_CLEARED）或申诉成立（APPEAL_UPHELD）而复机。误关停率 = 误关停 / 本月停机。' +
        `生成报告时不足 ${report.mistakeWindowDays} 天的停机，之后仍可能被认定为误关停。`,
      `Mistaken kills: suspensions of the month restored within ${report.mistakeWindowDays} days because the police ` +
        'cleared the number, the registry cleared it, or an appeal was upheld. Mistaken-kill rate = mistaken kills / ' +
        'suspensions of the month. A suspension less than ' +
        `${report.mistakeWindowDays} days old when the report is made may still turn out mistaken.`,
    ],
    [
      '复机时长：本月每次停机到同一运营商对该号码的首次复机（不论原因）的小时数，取最近秩中位数和 P90；' +
        '尚未复机的停机不计入，单列为“仍停机”。“—”表示没有可计算的数据。',
      "Time to restore: hours from each suspension of the month to the same carrier's first restoration of the " +
        'number, whatever its reason; nearest-rank median and 90th percentile. Suspensions not yet restored are ' +
        'left out and counted as still suspended. “—” means there is nothing to compute.',
    ],
    [
      '申诉：管理局只收到申诉成立后的复机（APPEAL_UPHELD）；被驳回或确认涉诈的申诉只保存在运营商处，本报告不含其数量。',
      'Appeals: the administration receives only the restorations of upheld appeals (APPEAL_UPHELD). Appeals ' +
        'rejected, or upheld for a number the police confirmed as fraud, stay with the carrier and are not counted ' +
        'here.',
    ],
    [
      '被叫提醒：运营商报送的每日向被叫用户发送防诈提醒短信的数量之和。',
      "Callee warnings: the sum of the carriers' daily counts of fraud-warning SMS sent to the people called.",
    ],
    [
      '误差预算降权：某条规则在其窗口内误判次数超出预算，策略不再按其全额计分；列出本月内任一时刻处于降权状态的规则。',
      'Error-budget demotions: a rule whose mistakes in its window exceeded its error budget no longer counts in ' +
        'full. Listed: every rule that was demoted at some time in the month.',
    ],
    [
      '本报告不含任何电话号码；文字中形似号码的内容均已隐去。',
      'This report holds no phone number: anything in its text that looks like one is withheld.',
    ],
  ];
  return `<section class="method"><h2>${both('统计口径', 'Method and definitions')}</h2><ol>${items
    .map(([zh, en]) => `<li>${text(zh)}<br><span class="en" lang="en">${text(en)}</span></li>`)
    .join('')}</ol></section>`;
}

const STYLE = `
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1a1a1a; font-size: 10.5pt; line-height: 1.45; margin: 0 auto; max-width: 1000px; padding: 16px; }
h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 14pt; border-bottom: 2px solid #b3261e; margin-top: 22px; }
h3 { font-size: 11.5pt; margin: 14px 0 6px; }
.en { color: #555; font-size: 0.85em; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 10px; page-break-inside: avoid; }
th, td { border: 1px solid #bbb; padding: 3px 6px; text-align: right; vertical-align: top; }
th:first-child, td:first-child { text-align: left; }
th { background: #f3f0ee; font-weight: 600; }
th .en { display: block; }
.summary table { font-size: 8.5pt; }
.summary th, .summary td { padding: 3px 4px; }
code { font-size: 0.85em; }
.provisional { background: #fff4d6; border: 1px solid #e0b100; padding: 6px 10px; font-weight: 600; }
.carrier { page-break-before: always; }
.empty { color: #666; font-style: italic; }
.meta { color: #444; }
`;

export function monthlyReportHtml(report: MonthlyReport): string {
  const title = `${report.month} 涉诈号码处置月度公开报告 Monthly public report on fraud-number actions`;
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${text(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${both(`${report.month} 涉诈号码处置月度公开报告`, `Monthly public report on fraud-number actions, ${report.month}`)}</h1>
<p class="meta">${both('省份', 'Province')}: ${text(report.province)} ·
${both('统计期', 'Period')}: ${text(report.from)} – ${text(report.to)} (UTC+08:00) ·
${both('生成时间', 'Generated')}: ${text(report.generatedAt)} (UTC+08:00)</p>
${
  report.provisional
    ? `<p class="provisional" data-provisional>${both(
        '临时数据：本月尚未结束，数字截至生成时间，之后仍会变化。',
        'Provisional: the month is not over; the figures are those at the time generated and will change.',
      )}</p>`
    : ''
}
</header>
<section class="summary">
<h2>${both('概览', 'Summary')}</h2>
${summary(report)}
<p>${both('全省复机时长', 'Time to restore, province')}:</p>
${table(RESTORE_HEADINGS, [restoreCells(report.totals.restore)], NONE)}
</section>
${method(report)}
${report.carriers.map(carrierSection).join('\n')}
</body>
</html>
`;
}
