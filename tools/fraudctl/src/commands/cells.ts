import type { admin } from '@app/contracts';
import {
  cell,
  defaultSubcommandOnly,
  positionals,
  stringOption,
  stringOptions,
  subcommand,
  wholeNumber,
  type Command,
} from '../command';
import { changesState, idempotencyKey } from '../state-change';
import type { Context } from '../context';
import { formatTime, table } from '../output';

const SUBCOMMANDS = ['list', 'add', 'remove'] as const;

export const cellsCommand: Command = changesState({
  name: 'cells',
  subcommands: SUBCOMMANDS,
  summary: "the province's high-risk cell list: list, add, remove",
  help: [
    'usage: fraudctl cells [list]',
    '       fraudctl cells add <cell> [--reason TEXT] [--source WHO] [--expires-in-days N]',
    '       fraudctl cells remove <cell> [--reason TEXT]',
    '',
    "The administration's list of high-risk cells (base stations, MCC-MNC-LAC-CI,",
    'e.g. 460-11-23456-1), pushed to every carrier as a new version on each change',
    '(ListHighRiskCells / AddHighRiskCell / RemoveHighRiskCell, admin role;',
    'changes audited). Calling from a listed cell weighs as evidence; merely',
    'passing through it does not.',
    '',
    'Options:',
    '  --reason TEXT          why it is listed or delisted (default "listed by operator" / "delisted by operator")',
    '  --source WHO           who asked for it, e.g. police:chengdu (default: the subject of the admin token used)',
    "  --expires-in-days N    how long it stays listed (default: the province's setting)",
  ],
  options: stringOptions('reason', 'source', 'expires-in-days'),
  async run(ctx, args) {
    const sub = subcommand(args, SUBCOMMANDS, 'cells');
    if (sub === 'list') {
      defaultSubcommandOnly(args, 'list', 'cells');
      const answer = await ctx.call<admin.ListHighRiskCellsResponse>(
        ctx.admin(),
        ctx.adminRole(),
        'listHighRiskCells',
        {} satisfies admin.ListHighRiskCellsRequest,
      );
      return show(ctx, answer.list, answer);
    }
    const [, text] = positionals(args, [sub, 'cell'], 'cells');
    const cellId = cell(text, 'cell');
    if (sub === 'add') {
      const request: admin.AddHighRiskCellRequest = {
        idempotencyKey: idempotencyKey(args.values),
        cell: cellId,
        reason: stringOption(args.values, 'reason') ?? 'listed by operator',
        source: stringOption(args.values, 'source') ?? ctx.subjectOf(ctx.adminRole()) ?? 'operator',
        expiresInDays:
          wholeNumber(stringOption(args.values, 'expires-in-days'), '--expires-in-days', 'cells', 1, 3650) ?? 0,
      };
      if (ctx.dryRun(ctx.admin(), ctx.adminRole(), 'addHighRiskCell', request)) return;
      const answer = await ctx.call<admin.AddHighRiskCellResponse>(
        ctx.admin(),
        ctx.adminRole(),
        'addHighRiskCell',
        request,
      );
      return show(ctx, answer.list, answer, `${cellId} listed${answer.replayed ? ' (already, with this --key)' : ''}.`);
    }
    const request: admin.RemoveHighRiskCellRequest = {
      idempotencyKey: idempotencyKey(args.values),
      cell: cellId,
      reason: stringOption(args.values, 'reason') ?? 'delisted by operator',
    };
    if (ctx.dryRun(ctx.admin(), ctx.adminRole(), 'removeHighRiskCell', request)) return;
    const answer = await ctx.call<admin.RemoveHighRiskCellResponse>(
      ctx.admin(),
      ctx.adminRole(),
      'removeHighRiskCell',
      request,
    );
    return show(ctx, answer.list, answer, `${cellId} removed${answer.replayed ? ' (already, with this --key)' : ''}.`);
  },
});

function show(ctx: Context, list: admin.HighRiskCellList | undefined, answer: unknown, headline?: string): void {
  if (ctx.json) return ctx.printJson(answer);
  const cells = list?.cells ?? [];
  if (headline) ctx.print(headline);
  ctx.print(`High-risk cell list version ${list?.version ?? 0}: ${cells.length} cell(s)`);
  if (cells.length === 0) return;
  ctx.print(
    table(
      ['CELL', 'REASON', 'SOURCE', 'ADDED', 'EXPIRES'],
      cells.map((c) => [c.cell, c.reason || '-', c.source || '-', formatTime(c.addedAt), formatTime(c.expiresAt)]),
    ),
  );
}
