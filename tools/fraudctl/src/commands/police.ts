import type { registry } from '@app/contracts';
import { numberStatus, verificationOutcome } from '@app/contracts/codecs';
import { VerificationOutcome } from '@app/domain';
import { choice, number, positionals, requiredOption, stringOption, stringOptions, type Command } from '../command';
import { changesState, idempotencyKey } from '../state-change';
import { UsageError } from '../errors';
import { enumLabel, fields, replayedRow } from '../output';

const ACTIONS = ['verify', 'clear'] as const;
const OUTCOME = { verify: VerificationOutcome.Confirmed, clear: VerificationOutcome.Cleared } as const;

export const policeCommand: Command = changesState({
  name: 'police',
  subcommands: ACTIONS,
  summary: 'police verification in the registry: confirm fraud, or clear a number',
  help: [
    'usage: fraudctl police verify <number> --case ID [--note TEXT]',
    '       fraudctl police clear <number> --case ID [--note TEXT]',
    '',
    'Records a police verification in the shared registry (VerifyNumber, police',
    'role). `verify` confirms fraud: the number becomes CONFIRMED and carriers',
    'suspend it. `clear` clears it: CLEARED, and the evidence seen before the',
    'clearance can never list it again; carriers restore it.',
    '',
    'Options:',
    '  --case ID              the police case id (required)',
    '  --note TEXT            a note kept with the verification',
  ],
  options: stringOptions('case', 'note'),
  async run(ctx, args) {
    if (args.positionals.length === 0) throw new UsageError('missing verify or clear', 'police');
    const action = choice(args.positionals[0], ACTIONS, 'the police action', 'police');
    const [, text] = positionals(args, ['action', 'number'], 'police');
    const msisdn = number(text, 'number');
    const request: registry.VerifyNumberRequest = {
      idempotencyKey: idempotencyKey(args.values),
      msisdn,
      outcome: verificationOutcome.toWire(OUTCOME[action]),
      caseId: requiredOption(args.values, 'case', 'police'),
      note: stringOption(args.values, 'note') ?? '',
    };
    if (ctx.dryRun(ctx.registry(), 'police', 'verifyNumber', request)) return;
    const answer = await ctx.call<registry.VerifyNumberResponse>(ctx.registry(), 'police', 'verifyNumber', request);
    if (ctx.json) return ctx.printJson(answer);
    ctx.print(
      fields([
        ['number', answer.msisdn],
        ['status', enumLabel(answer.status, numberStatus)],
        ['version', String(answer.version)],
        ['case', request.caseId],
        ...replayedRow(answer.replayed),
      ]),
    );
  },
});
