import type { carrier } from '@app/contracts';
import { action, reviewOutcome, reviewState } from '@app/contracts/codecs';
import {
  choice,
  defaultSubcommandOnly,
  positionals,
  requiredOption,
  stringOption,
  stringOptions,
  subcommand,
  wholeNumber,
  type Command,
  type Values,
} from '../command';
import { parseCarrierId } from '../context';
import { UsageError } from '../errors';
import { enumLabel, fields, formatTime, replayedRow, table } from '../output';
import { changesState, idempotencyKey } from '../state-change';

const SUBCOMMANDS = ['list', 'decide'] as const;
const STATES = ['open', 'suspended', 'restored', 'closed'] as const;

/** What a CLOSED answer means for the reviewer who gave it. */
const MOVED_ON_NOTE =
  'the number had moved on (restored, suspended by a directive or the police, or reviewed anew): nothing was stepped';

export const reviewsCommand: Command = changesState({
  name: 'reviews',
  subcommands: SUBCOMMANDS,
  summary: "suspensions of long-held numbers waiting for a person's review: list them, decide one",
  help: [
    'usage: fraudctl reviews [list] --carrier ID [--state open|suspended|restored|closed] [--limit N] [--page-token T]',
    '       fraudctl reviews decide <task-id> --carrier ID --suspend|--restore --why TEXT',
    '',
    'Under a policy with humanReview, a carrier does not suspend a long-held real-name',
    'number on its analysis alone: it restricts it and queues a review task.',
    '`list` (the default) shows the tasks oldest first (ListReviews, carrier:<ID> role).',
    "`decide` gives a person's answer (DecideReview, carrier:<ID> role; audited with",
    'who, why and when): --suspend confirms the suspension, --restore finds the',
    'evidence mistaken and restores the number. A task is decided once.',
    '',
    'Options:',
    '  --carrier ID           the carrier whose tasks these are (required)',
    'Options of list:',
    '  --state STATE          open, suspended, restored or closed (default: every state)',
    '  --limit N              at most N (1 to 500, default 50); a next page token is printed when there are more',
    '  --page-token T         the next page of an earlier list',
    'Options of decide:',
    '  --suspend              confirm the suspension',
    '  --restore              the evidence is mistaken: restore the number',
    '  --why TEXT             why, in your words (required; stored with the task, never a national ID number)',
  ],
  options: {
    ...stringOptions('carrier', 'state', 'limit', 'page-token', 'why'),
    suspend: { type: 'boolean' },
    restore: { type: 'boolean' },
  },
  async run(ctx, args) {
    const sub = subcommand(args, SUBCOMMANDS, 'reviews');
    const id = parseCarrierId(requiredOption(args.values, 'carrier', 'reviews'), '--carrier', 'reviews');
    const target = ctx.carrier(id);
    const role = `carrier:${id}`;
    if (sub === 'decide') {
      const [, taskId] = positionals(args, ['decide', 'task-id'], 'reviews');
      const request: carrier.DecideReviewRequest = {
        taskId,
        outcome: reviewOutcome.toWire(outcomeOf(args.values)),
        why: requiredOption(args.values, 'why', 'reviews'),
        requestId: idempotencyKey(args.values),
      };
      if (ctx.dryRun(target, role, 'decideReview', request)) return;
      const answer = await ctx.call<carrier.DecideReviewResponse>(target, role, 'decideReview', request);
      if (ctx.json) return ctx.printJson({ carrier: id, ...answer });
      const task = answer.task;
      const closed = reviewState.tryFromWire(task?.state) === 'CLOSED';
      ctx.print(
        fields([
          ['task', task?.id ?? taskId],
          ['number', task?.msisdn ?? '-'],
          ['carrier', id],
          ['review', enumLabel(task?.state, reviewState)],
          ['state', enumLabel(answer.state, action)],
          ['decided by', task?.decidedBy || '-'],
          ['at', formatTime(task?.decidedAt)],
          ...(closed ? [['note', MOVED_ON_NOTE] as [string, string]] : []),
          ...replayedRow(answer.replayed),
        ]),
      );
      return;
    }
    defaultSubcommandOnly(args, 'list', 'reviews');
    const stateText = stringOption(args.values, 'state');
    const request: carrier.ListReviewsRequest = {
      state: reviewState.toWire(
        stateText === undefined
          ? undefined
          : (choice(stateText, STATES, '--state', 'reviews').toUpperCase() as Uppercase<(typeof STATES)[number]>),
      ),
      page: {
        pageSize: wholeNumber(stringOption(args.values, 'limit'), '--limit', 'reviews', 1, 500) ?? 50,
        pageToken: stringOption(args.values, 'page-token') ?? '',
      },
    };
    const answer = await ctx.call<carrier.ListReviewsResponse>(target, role, 'listReviews', request);
    if (ctx.json) return ctx.printJson({ carrier: id, ...answer });
    if (answer.reviews.length === 0) return ctx.print('No review tasks.');
    ctx.print(
      table(
        ['ID', 'OPENED', 'NUMBER', 'STATE', 'SCORE', 'POLICY', 'BY', 'REASONS'],
        answer.reviews.map((r) => [
          r.id,
          formatTime(r.openedAt),
          r.msisdn,
          enumLabel(r.state, reviewState),
          r.score.toFixed(2),
          r.policy,
          r.decidedBy || '-',
          r.reasons.map((reason) => reason.code).join(', ') || '-',
        ]),
      ),
    );
    if (answer.nextPageToken) ctx.print(['', `More: --page-token ${answer.nextPageToken}`]);
  },
});

/** --suspend or --restore: exactly one. */
function outcomeOf(values: Values): 'SUSPEND' | 'RESTORE' {
  const suspend = values.suspend === true;
  const restore = values.restore === true;
  if (suspend === restore) throw new UsageError('give exactly one of --suspend and --restore', 'reviews');
  return suspend ? 'SUSPEND' : 'RESTORE';
}
