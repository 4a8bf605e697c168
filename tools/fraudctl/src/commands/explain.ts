import type { carrier, common } from '@app/contracts';
import { action, numberStatus, usageProfile } from '@app/contracts/codecs';
import { choice, number, positionals, stringOption, stringOptions, type Command } from '../command';
import { enumLabel, fields, formatTime, padDisplay, table, wrap } from '../output';
import { CARRIER_OPTION_HELP, ownerOf, type Owner } from '../owner';

/** Sightings listed per decision; --json has them all. */
const MAX_SIGHTINGS = 12;
const LANGUAGES = ['en', 'zh'] as const;
type Language = (typeof LANGUAGES)[number];

export const explainCommand: Command = {
  name: 'explain',
  summary: "why a number is where it is on its carrier's ladder: decisions, reasons, cells, times",
  help: [
    'usage: fraudctl explain <number> [--carrier ID] [--purpose TEXT] [--lang en|zh]',
    '',
    "Asks the number's carrier to explain it (ExplainNumber, admin role; audited",
    'with the purpose): its step on the ladder (NONE, MONITOR, WARN, RESTRICT,',
    'SUSPEND), registry status, declared profile, what the subscriber can do, and',
    'every decision with its action, score, policy, reasons in plain language, the',
    'measures against their thresholds and the cells (base stations) and times',
    'behind it. Times are China Standard Time (+08:00).',
    '',
    'Options:',
    CARRIER_OPTION_HELP,
    '  --purpose TEXT         why you look, recorded in the audit log (default "operator explain")',
    '  --lang en|zh           language of everything printed (default en)',
    '',
    "A carrier with no subscriber record of the number (another carrier's, asked",
    'with --carrier) says so instead of how its service stands.',
  ],
  options: stringOptions('carrier', 'purpose', 'lang'),
  async run(ctx, args) {
    const [text] = positionals(args, ['number'], 'explain');
    const lang = choice(stringOption(args.values, 'lang') ?? 'en', LANGUAGES, '--lang', 'explain');
    const msisdn = number(text, 'number');
    const owner = await ownerOf(ctx, args.values, msisdn, 'explain');
    const request: carrier.ExplainNumberRequest = {
      msisdn,
      purpose: stringOption(args.values, 'purpose') ?? 'operator explain',
    };
    const answer = await ctx.call<carrier.ExplainNumberResponse>(
      ctx.carrier(owner.carrier),
      ctx.adminRole(),
      'explainNumber',
      request,
    );
    if (ctx.json) return ctx.printJson({ carrier: owner.carrier, subscriber: isSubscriber(answer), ...answer });
    ctx.print(explanation(answer, owner, lang));
  },
};

/** Every word explain prints around the server's texts, per language: --lang zh is Chinese throughout. */
const TEXTS = {
  en: {
    ported: ', ported',
    state: 'state',
    registry: 'registry',
    profile: 'profile',
    attested: ' (attested)',
    reactivations: 're-activations',
    chancesLeft: (n: number) => `${n} chance(s) left`,
    review: 'review',
    reviewSince: (at: string) => `restricted, waiting for a person's review since ${at}`,
    nextSteps: 'next steps',
    confirmedNote: ' (police-confirmed fraud: calls blocked whatever the step; no carrier restores it)',
    notSubscriber: (carrier: string) =>
      `Not a subscriber of ${carrier}: the carrier has no subscriber record for this number, ` +
      'so it cannot say how its service stands (ask the owning carrier: omit --carrier).',
    noDecisions: 'No decisions.',
    decisions: (n: number) => `Decisions, newest first (${n}):`,
    score: 'score',
    policy: 'policy',
    shadow: '(shadow)',
    reasons: 'Reasons:',
    evidence: 'Evidence:',
    window: (from: string, to: string) => `Window:   ${from} to ${to}`,
    measures: 'Measures:',
    measureHeaders: ['MEASURE', 'VALUE', 'THRESHOLD'],
    cells: (sightings: number, cells: number, list: string) =>
      `Cells: ${sightings} sighting(s) at ${cells} cell(s): ${list}`,
    cellHeaders: ['CELL', 'TIME', 'ACTIVITY'],
    more: (n: number) => `... and ${n} more (--json lists them all)`,
    step: (code: string) => code,
    status: (code: string) => code,
    usage: (code: string) => code,
    activity: (code: string) => code,
  },
  zh: {
    ported: '，已携号转网',
    state: '状态',
    registry: '登记库',
    profile: '使用类型',
    attested: '（已证明）',
    reactivations: '复通机会',
    chancesLeft: (n: number) => `剩余 ${n} 次`,
    review: '人工复核',
    reviewSince: (at: string) => `已限制呼出，自 ${at} 起等待人工复核`,
    nextSteps: '处理建议',
    confirmedNote: '（公安已确认诈骗：无论处置等级如何均拦截呼叫，任何运营商都不能恢复）',
    notSubscriber: (carrier: string) =>
      `该号码不是 ${carrier} 的用户：该运营商没有此号码的用户记录，无法说明其服务状态（请询问归属运营商：不带 --carrier）。`,
    noDecisions: '没有处置记录。',
    decisions: (n: number) => `处置记录，最新在前（${n} 条）：`,
    score: '评分',
    policy: '策略',
    shadow: '（影子模式）',
    reasons: '原因：',
    evidence: '证据：',
    window: (from: string, to: string) => `时间窗：${from} 至 ${to}`,
    measures: '指标：',
    measureHeaders: ['指标', '数值', '阈值'],
    cells: (sightings: number, cells: number, list: string) => `基站：${cells} 个基站的 ${sightings} 次记录：${list}`,
    cellHeaders: ['基站', '时间', '活动'],
    more: (n: number) => `……另有 ${n} 条（--json 列出全部）`,
    step: (code: string) => `${STEP_ZH[code] ?? code}（${code}）`,
    status: (code: string) => `${STATUS_ZH[code] ?? code}（${code}）`,
    usage: (code: string) => USAGE_ZH[code] ?? code,
    activity: (code: string) => ACTIVITY_ZH[code] ?? code,
  },
} satisfies Record<Language, unknown>;

const STEP_ZH: Record<string, string> = {
  NONE: '正常',
  MONITOR: '监测',
  WARN: '风险提示',
  RESTRICT: '限制呼出',
  SUSPEND: '暂停服务',
};
const STATUS_ZH: Record<string, string> = {
  NOT_LISTED: '未登记',
  SUSPECTED: '涉嫌诈骗',
  CONFIRMED: '已确认诈骗',
  CLEARED: '已澄清',
};
const USAGE_ZH: Record<string, string> = {
  none: '个人',
  courier: '快递',
  delivery: '外卖配送',
  logistics: '物流',
  enterprise: '企业',
};
const ACTIVITY_ZH: Record<string, string> = { call: '通话', sms: '短信', location: '位置' };

type Texts = (typeof TEXTS)[Language];

/**
 * The explanation as customer service reads it: the summary, then each decision, newest first. A carrier
 * without a subscriber record of the number (declared profile unset) says so instead of "service is normal".
 */
export function explanation(answer: carrier.ExplainNumberResponse, owner: Owner, lang: Language): string[] {
  const t: Texts = TEXTS[lang];
  const subscriber = isSubscriber(answer);
  const profile = enumLabel(answer.declaredProfile, usageProfile).toLowerCase();
  const lines = [
    `${answer.msisdn}  (${owner.carrier}${owner.ported ? t.ported : ''})`,
    ...fields(
      [
        [t.state, t.step(enumLabel(answer.state, action))],
        [t.registry, registryLine(answer.registryStatus, t)],
        ...(subscriber ? [[t.profile, `${t.usage(profile)}${answer.profileAttested ? t.attested : ''}`]] : []),
        [t.reactivations, t.chancesLeft(answer.reactivationChancesLeft)],
        ...(answer.reviewPendingSince ? [[t.review, t.reviewSince(formatTime(answer.reviewPendingSince))]] : []),
      ] as [string, string][],
      '  ',
    ),
    ...nextSteps(
      subscriber ? (lang === 'zh' ? answer.nextStepsZh : answer.nextStepsEn) || '-' : t.notSubscriber(owner.carrier),
      lang,
    ),
  ];
  if (answer.decisions.length === 0) return [...lines, '', t.noDecisions];
  lines.push('', t.decisions(answer.decisions.length));
  answer.decisions.forEach((d, i) => lines.push('', ...decisionLines(d, answer.decisions.length - i, lang)));
  return lines;
}

/**
 * A carrier answers every number; only its own subscribers have a declared profile (NONE at least). A number it
 * stepped or decided on is its own too, record or not: only a number it knows nothing of is called another's.
 */
export function isSubscriber(answer: carrier.ExplainNumberResponse): boolean {
  return (
    usageProfile.tryFromWire(answer.declaredProfile) !== undefined ||
    answer.decisions.length > 0 ||
    (action.tryFromWire(answer.state) ?? 'NONE') !== 'NONE'
  );
}

/** The registry's status beside the step; CONFIRMED outranks the step, which the line says. */
function registryLine(status: common.NumberStatus | undefined, t: Texts): string {
  const label = t.status(enumLabel(status, numberStatus));
  return numberStatus.tryFromWire(status) === 'CONFIRMED' ? `${label}${t.confirmedNote}` : label;
}

/** `next steps` aligned with the fields above, wrapped for a terminal (Chinese text has no spaces: by characters). */
function nextSteps(text: string, lang: Language): string[] {
  const label = padDisplay(`  ${TEXTS[lang].nextSteps}`, 18);
  const width = 100 - label.length;
  const lines =
    lang === 'zh' ? (text.match(new RegExp(`.{1,${Math.floor(width / 2)}}`, 'gu')) ?? [text]) : wrap(text, width);
  return lines.map((line, i) => `${i === 0 ? label : ' '.repeat(18)}${line}`);
}

function decisionLines(d: carrier.Decision, ordinal: number, lang: Language): string[] {
  const t: Texts = TEXTS[lang];
  const step = `${t.step(enumLabel(d.previous, action))} -> ${t.step(enumLabel(d.action, action))}`;
  const lines = [
    `#${ordinal}  ${formatTime(d.at)}  ${step}  ${t.score} ${d.score.toFixed(2)}  ` +
      `${t.policy} ${d.policy}${d.shadow ? `  ${t.shadow}` : ''}`,
  ];
  if (d.reasons.length > 0) {
    lines.push(`    ${t.reasons}`);
    const width = Math.max(...d.reasons.map((r) => r.code.length));
    for (const r of d.reasons) {
      lines.push(`      ${r.code.padEnd(width)}  ${(lang === 'zh' ? r.textZh : r.textEn) || '-'}`);
      const advice = lang === 'zh' ? r.adviceZh : r.adviceEn;
      if (advice) lines.push(`      ${''.padEnd(width)}  -> ${advice}`);
    }
  }
  if (d.evidence) lines.push(...evidenceLines(d.evidence, t));
  return lines;
}

function evidenceLines(e: common.Evidence, t: Texts): string[] {
  const lines: string[] = [];
  // The summary repeats the measures in one line: shown only when there is no table of them.
  if (e.summary && e.measures.length === 0) lines.push(`    ${t.evidence} ${e.summary}`);
  if (e.windowStart || e.windowEnd) lines.push(`    ${t.window(formatTime(e.windowStart), formatTime(e.windowEnd))}`);
  if (e.measures.length > 0) {
    lines.push(`    ${t.measures}`);
    lines.push(
      ...table(
        t.measureHeaders,
        e.measures.map((m) => [m.name, round(m.value), round(m.threshold)]),
        '      ',
      ),
    );
  }
  if (e.cells.length > 0) {
    const cells = new Set(e.cells.map((c) => c.cell));
    lines.push(`    ${t.cells(e.cells.length, cells.size, [...cells].join(', '))}`);
    const shown = e.cells.slice(0, MAX_SIGHTINGS);
    lines.push(
      ...table(
        t.cellHeaders,
        shown.map((c) => [c.cell, formatTime(c.at), c.activity ? t.activity(c.activity) : '-']),
        '      ',
      ),
    );
    if (e.cells.length > shown.length) lines.push(`      ${t.more(e.cells.length - shown.length)}`);
  }
  return lines;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '');
}
