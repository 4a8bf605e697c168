import type { carrier } from '@app/contracts';
import {
  defaultSubcommandOnly,
  positionals,
  requiredOption,
  stringOption,
  stringOptions,
  subcommand,
  type Command,
} from '../command';
import { parseCarrierId, type Context } from '../context';
import { fields, formatTime, table } from '../output';
import { DRY_RUN_HELP } from '../state-change';

const SUBCOMMANDS = ['budget', 'reenable'] as const;

export const rulesCommand: Command = {
  name: 'rules',
  subcommands: SUBCOMMANDS,
  summary: "a carrier's error budget per rule: budget, reenable",
  help: [
    'usage: fraudctl rules [budget] --carrier ID',
    '       fraudctl rules reenable <policy> <reason> --why TEXT --carrier ID',
    '',
    'Each reason of the running policies with an error budget (policy errorBudget):',
    'its RESTRICT and SUSPEND steps in the window, how many were undone as',
    'mistakes (police or registry clearance, upheld appeal, rejected review), and',
    'whether it is demoted, counting only up to WARN (ListRuleBudgets, carrier,',
    'admin or analyst role). reenable gives a demoted reason its full weight back',
    'on the running ladders of <policy> (name@version); its counts start afresh',
    '(ReenableRule, carrier:<ID> role; audited with who and why).',
    '',
    'Options:',
    '  --carrier ID           the carrier to ask (required)',
    '  --why TEXT             why the reason may count in full again (required by reenable; recorded)',
    DRY_RUN_HELP,
  ],
  options: { ...stringOptions('carrier', 'why'), 'dry-run': { type: 'boolean' } },
  async run(ctx, args) {
    const sub = subcommand(args, SUBCOMMANDS, 'rules');
    const id = parseCarrierId(requiredOption(args.values, 'carrier', 'rules'), '--carrier', 'rules');
    const target = ctx.carrier(id);
    if (sub === 'budget') {
      defaultSubcommandOnly(args, 'budget', 'rules');
      const answer = await ctx.call<carrier.ListRuleBudgetsResponse>(
        target,
        `carrier:${id}`,
        'listRuleBudgets',
        {} satisfies carrier.ListRuleBudgetsRequest,
      );
      if (ctx.json) return ctx.printJson(answer);
      return show(ctx, id, answer.budgets);
    }
    const [, policy, reason] = positionals(args, ['reenable', 'policy', 'reason'], 'rules');
    const request: carrier.ReenableRuleRequest = {
      policy,
      reason: reason.toUpperCase(),
      why: stringOption(args.values, 'why') ?? '',
    };
    if (ctx.dryRun(target, `carrier:${id}`, 'reenableRule', request)) return;
    const answer = await ctx.call<carrier.ReenableRuleResponse>(target, `carrier:${id}`, 'reenableRule', request);
    if (ctx.json) return ctx.printJson(answer);
    ctx.print(
      fields([
        ['re-enabled', `${request.reason} on ${policy} (${id})`],
        ['at', formatTime(answer.reenabledAt)],
        ['why', request.why],
      ]),
    );
    show(ctx, id, answer.budgets);
  },
};

function show(ctx: Context, id: string, budgets: carrier.RuleBudget[]): void {
  if (budgets.length === 0) {
    ctx.print(`${id}: no running policy has an error budget`);
    return;
  }
  ctx.print(
    table(
      ['POLICY', 'REASON', 'ACTIONS', 'MISTAKES', 'WINDOW', 'STATE'],
      budgets.map((b) => [
        b.shadow ? `${b.policy} (shadow)` : b.policy,
        b.reason,
        String(b.actions),
        String(b.mistakes),
        `${b.windowDays} d`,
        b.demoted ? `DEMOTED since ${formatTime(b.demotedSince)}` : 'counts in full',
      ]),
    ),
  );
}
