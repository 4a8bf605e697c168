import type { admin } from '@app/contracts';
import { directiveKind, directiveStatus } from '@app/contracts/codecs';
import {
  choice,
  defaultSubcommandOnly,
  number,
  positionals,
  requiredOption,
  stringOption,
  stringOptions,
  subcommand,
  wholeNumber,
  type Command,
  type Values,
} from '../command';
import { changesState, idempotencyKey } from '../state-change';
import { parseCarrierId, type Context } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import { enumLabel, formatTime, table } from '../output';

const SUBCOMMANDS = ['list', 'issue'] as const;
const STATES = ['pending', 'delivered', 'applied', 'rejected', 'expired'] as const;
const KINDS = ['review', 'suspend', 'restore'] as const;

/** A choice as the enum names it (`suspend` -> `SUSPEND`). */
function upper<T extends string>(word: T): Uppercase<T> {
  return word.toUpperCase() as Uppercase<T>;
}

export const directivesCommand: Command = changesState({
  name: 'directives',
  subcommands: SUBCOMMANDS,
  summary: "the administration's directives to carriers: list them, issue one",
  help: [
    'usage: fraudctl directives [list] [--carrier ID] [--state STATE] [--number N] [--limit N] [--page-token T]',
    '       fraudctl directives issue <number> --kind review|suspend|restore --reason TEXT [--expires-in-hours N]',
    '',
    '`list` (the default) shows directives newest first with their delivery and',
    'outcome (ListDirectives, admin role). `issue` sends a directive to the',
    "number's owning carrier (IssueDirective, admin role; audited).",
    '',
    'Options of list:',
    "  --carrier ID           only this carrier's",
    '  --state STATE          pending, delivered, applied, rejected or expired',
    "  --number N             only this number's",
    '  --limit N              at most N (1 to 500, default 50); a next page token is printed when there are more',
    '  --page-token T         the next page of an earlier list',
    'Options of issue:',
    '  --kind K               review, suspend or restore (required)',
    "  --reason TEXT          why (required; the carrier and the subscriber's notice show it)",
    "  --expires-in-hours N   how long the carrier has to apply it (default: the province's policy)",
    '  --wait                 wait until the carrier APPLIED it (exit 0) or REJECTED it (or it EXPIRED: exit 1),',
    '                         printing the final state; --timeout S bounds the whole wait (default 60; exit 7)',
  ],
  options: {
    ...stringOptions('carrier', 'state', 'number', 'limit', 'page-token', 'kind', 'reason', 'expires-in-hours'),
    wait: { type: 'boolean' },
  },
  async run(ctx, args) {
    const sub = subcommand(args, SUBCOMMANDS, 'directives');
    if (sub === 'issue') {
      const [, text] = positionals(args, ['issue', 'number'], 'directives');
      const request: admin.IssueDirectiveRequest = {
        idempotencyKey: idempotencyKey(args.values),
        msisdn: number(text, 'number'),
        kind: directiveKind.toWire(
          upper(choice(requiredOption(args.values, 'kind', 'directives'), KINDS, '--kind', 'directives')),
        ),
        reason: requiredOption(args.values, 'reason', 'directives'),
        expiresInHours:
          wholeNumber(stringOption(args.values, 'expires-in-hours'), '--expires-in-hours', 'directives', 1, 24 * 365) ??
          0,
      };
      if (ctx.dryRun(ctx.admin(), ctx.adminRole(), 'issueDirective', request)) return;
      const answer = await ctx.call<admin.IssueDirectiveResponse>(
        ctx.admin(),
        ctx.adminRole(),
        'issueDirective',
        request,
      );
      if (args.values.wait === true && answer.directive) return waitForOutcome(ctx, answer.directive, args.values);
      if (ctx.json) return ctx.printJson(answer);
      ctx.print(directiveTable(answer.directive ? [answer.directive] : []));
      if (answer.replayed) ctx.print('(already issued with this --key: the first directive is shown)');
      return;
    }
    defaultSubcommandOnly(args, 'list', 'directives');
    const carrierText = stringOption(args.values, 'carrier');
    const stateText = stringOption(args.values, 'state');
    const numberText = stringOption(args.values, 'number');
    const request: admin.ListDirectivesRequest = {
      carrier: carrierText === undefined ? '' : parseCarrierId(carrierText, '--carrier', 'directives'),
      msisdn: numberText === undefined ? '' : number(numberText, '--number'),
      status: directiveStatus.toWire(
        stateText === undefined ? undefined : upper(choice(stateText, STATES, '--state', 'directives')),
      ),
      page: {
        pageSize: wholeNumber(stringOption(args.values, 'limit'), '--limit', 'directives', 1, 500) ?? 50,
        pageToken: stringOption(args.values, 'page-token') ?? '',
      },
    };
    const answer = await ctx.call<admin.ListDirectivesResponse>(
      ctx.admin(),
      ctx.adminRole(),
      'listDirectives',
      request,
    );
    if (ctx.json) return ctx.printJson(answer);
    if (answer.directives.length === 0) return ctx.print('No directives.');
    ctx.print(directiveTable(answer.directives));
    if (answer.nextPageToken) ctx.print(['', `More: --page-token ${answer.nextPageToken}`]);
  },
});

const DEFAULT_WAIT_SECONDS = 60;
const POLL_MS = 500;

/**
 * Polls ListDirectives (its carrier, its number) until the directive is APPLIED, REJECTED or EXPIRED, or the
 * --timeout runs out; prints the last state it saw. Only APPLIED exits 0.
 */
async function waitForOutcome(ctx: Context, issued: admin.DirectiveRecord, values: Values): Promise<void> {
  const timeoutText = stringOption(values, 'timeout');
  const seconds = timeoutText === undefined ? DEFAULT_WAIT_SECONDS : Number(timeoutText);
  const deadline = Date.now() + seconds * 1000;
  const id = issued.directive?.directiveId ?? '';
  let record = issued;
  for (;;) {
    const status = directiveStatus.tryFromWire(record.status);
    if (status === 'APPLIED' || status === 'REJECTED' || status === 'EXPIRED' || Date.now() >= deadline) {
      if (ctx.json) ctx.printJson({ directive: record });
      else ctx.print(directiveTable([record]));
      if (status === 'APPLIED') return;
      const detail = record.ackDetail ? `: ${record.ackDetail}` : '';
      if (status === 'REJECTED' || status === 'EXPIRED')
        throw new CliError(`directive ${id} was ${status} by carrier ${record.carrier}${detail}`, ExitCode.Other, {
          code: status,
        });
      throw new CliError(
        `gave up after ${seconds} s: directive ${id} to ${record.carrier} ` +
          `is still ${enumLabel(record.status, directiveStatus)}`,
        ExitCode.Timeout,
      );
    }
    ctx.note(`directive ${id}: ${enumLabel(record.status, directiveStatus)}, waiting`);
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
    const answer = await ctx.call<admin.ListDirectivesResponse>(ctx.admin(), ctx.adminRole(), 'listDirectives', {
      carrier: record.carrier,
      msisdn: record.directive?.msisdn ?? '',
      status: directiveStatus.toWire(undefined),
      page: { pageSize: 500, pageToken: '' },
    } satisfies admin.ListDirectivesRequest);
    record = answer.directives.find((r) => r.directive?.directiveId === id) ?? record;
  }
}

function directiveTable(records: admin.DirectiveRecord[]): string[] {
  return table(
    ['ISSUED', 'KIND', 'NUMBER', 'CARRIER', 'STATUS', 'SENT', 'BY', 'ID', 'REASON'],
    records.map((r) => {
      const d = r.directive;
      const kind = enumLabel(d?.kind, directiveKind);
      return [
        formatTime(d?.issuedAt),
        kind,
        d?.msisdn || (kind === 'HIGH_RISK_CELLS' ? `(list v${d?.cells?.version ?? '?'})` : '-'),
        r.carrier || '-',
        enumLabel(r.status, directiveStatus),
        String(r.deliveries),
        r.issuedBy || '-',
        d?.directiveId ?? '-',
        [d?.reason, r.ackDetail ? `(carrier: ${r.ackDetail})` : ''].filter(Boolean).join(' ') || '-',
      ];
    }),
  );
}
