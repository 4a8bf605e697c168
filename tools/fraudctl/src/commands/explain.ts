import type { carrier, common } from '@app/contracts';
import { action, numberStatus, usageProfile } from '@app/contracts/codecs';
import { choice, number, positionals, stringOption, stringOptions, type Command } from '../command';
import { enumLabel, fields, formatTime, table, wrap } from '../output';
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
    '  --lang en|zh           language of reasons and next steps (default en)',
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
    if (ctx.json) return ctx.printJson({ carrier: owner.carrier, ...answer });
    ctx.print(explanation(answer, owner, lang));
  },
};

/** The explanation as customer service reads it: the summary, then each decision, newest first. */
export function explanation(answer: carrier.ExplainNumberResponse, owner: Owner, lang: Language): string[] {
  const profile = enumLabel(answer.declaredProfile, usageProfile).toLowerCase();
  const lines = [
    `${answer.msisdn}  (${owner.carrier}${owner.ported ? ', ported' : ''})`,
    ...fields(
      [
        ['state', enumLabel(answer.state, action)],
        ['registry', registryLine(answer.registryStatus)],
        ['profile', `${profile}${answer.profileAttested ? ' (attested)' : ''}`],
        ['re-activations', `${answer.reactivationChancesLeft} chance(s) left`],
        ...(answer.reviewPendingSince
          ? [['review', `restricted, waiting for a person's review since ${formatTime(answer.reviewPendingSince)}`]]
          : []),
      ] as [string, string][],
      '  ',
    ),
    ...nextSteps((lang === 'zh' ? answer.nextStepsZh : answer.nextStepsEn) || '-', lang),
  ];
  if (answer.decisions.length === 0) return [...lines, '', 'No decisions.'];
  lines.push('', `Decisions, newest first (${answer.decisions.length}):`);
  answer.decisions.forEach((d, i) => lines.push('', ...decisionLines(d, answer.decisions.length - i, lang)));
  return lines;
}

/** The registry's status beside the step; CONFIRMED outranks the step, which the line says. */
function registryLine(status: common.NumberStatus | undefined): string {
  const label = enumLabel(status, numberStatus);
  return numberStatus.tryFromWire(status) === 'CONFIRMED'
    ? `${label} (police-confirmed fraud: calls blocked whatever the step; no carrier restores it)`
    : label;
}

/** `next steps` aligned with the fields above, wrapped for a terminal (Chinese text has no spaces: by characters). */
function nextSteps(text: string, lang: Language): string[] {
  const label = '  next steps      ';
  const width = 100 - label.length;
  const lines =
    lang === 'zh' ? (text.match(new RegExp(`.{1,${Math.floor(width / 2)}}`, 'gu')) ?? [text]) : wrap(text, width);
  return lines.map((line, i) => `${i === 0 ? label : ' '.repeat(label.length)}${line}`);
}

function decisionLines(d: carrier.Decision, ordinal: number, lang: Language): string[] {
  const step = `${enumLabel(d.previous, action)} -> ${enumLabel(d.action, action)}`;
  const lines = [
    `#${ordinal}  ${formatTime(d.at)}  ${step}  score ${d.score.toFixed(2)}  ` +
      `policy ${d.policy}${d.shadow ? '  (shadow)' : ''}`,
  ];
  if (d.reasons.length > 0) {
    lines.push('    Reasons:');
    const width = Math.max(...d.reasons.map((r) => r.code.length));
    for (const r of d.reasons) {
      lines.push(`      ${r.code.padEnd(width)}  ${(lang === 'zh' ? r.textZh : r.textEn) || '-'}`);
      const advice = lang === 'zh' ? r.adviceZh : r.adviceEn;
      if (advice) lines.push(`      ${''.padEnd(width)}  -> ${advice}`);
    }
  }
  if (d.evidence) lines.push(...evidenceLines(d.evidence));
  return lines;
}

function evidenceLines(e: common.Evidence): string[] {
  const lines: string[] = [];
  // The summary repeats the measures in one line: shown only when there is no table of them.
  if (e.summary && e.measures.length === 0) lines.push(`    Evidence: ${e.summary}`);
  if (e.windowStart || e.windowEnd)
    lines.push(`    Window:   ${formatTime(e.windowStart)} to ${formatTime(e.windowEnd)}`);
  if (e.measures.length > 0) {
    lines.push('    Measures:');
    lines.push(
      ...table(
        ['MEASURE', 'VALUE', 'THRESHOLD'],
        e.measures.map((m) => [m.name, round(m.value), round(m.threshold)]),
        '      ',
      ),
    );
  }
  if (e.cells.length > 0) {
    const cells = new Set(e.cells.map((c) => c.cell));
    lines.push(`    Cells: ${e.cells.length} sighting(s) at ${cells.size} cell(s): ${[...cells].join(', ')}`);
    const shown = e.cells.slice(0, MAX_SIGHTINGS);
    lines.push(
      ...table(
        ['CELL', 'TIME', 'ACTIVITY'],
        shown.map((c) => [c.cell, formatTime(c.at), c.activity || '-']),
        '      ',
      ),
    );
    if (e.cells.length > shown.length)
      lines.push(`      ... and ${e.cells.length - shown.length} more (--json lists them all)`);
  }
  return lines;
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, '');
}
