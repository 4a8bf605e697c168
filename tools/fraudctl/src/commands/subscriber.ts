import type { carrier } from '@app/contracts';
import {
  action,
  declarationOutcome,
  reactivationOutcome,
  reportCategory,
  usageProfile,
  type EnumCodec,
} from '@app/contracts/codecs';
import { ReportCategory, ValidationError } from '@app/domain';
import { parseNationalId } from '../../../../apps/carrier/src/reactivation/national-id';
import { choice, number, positionals, requiredOption, stringOption, stringOptions, type Command } from '../command';
import { changesState, idempotencyKey } from '../state-change';
import { invalidArgument } from '../context';
import { CliError } from '../errors';
import { ExitCode } from '../exit-codes';
import { enumLabel, fields, replayedRow } from '../output';
import { callOwner, CARRIER_OPTION_HELP, ownerOf, type Owner } from '../owner';

/** Carrier-side commands for one subscriber: a complaint, a re-activation, a declared work profile. */

/** What a CONFIRMED_FRAUD answer means for whoever reads it at the counter. */
const CONFIRMED_FRAUD_NOTE =
  'police-confirmed fraud in the registry: nothing changed, only a police clearance restores the number ' +
  '(the subscriber asks the police to review the case)';

export const reportCommand: Command = changesState({
  name: 'report',
  summary: "file a subscriber's report against a number, into the reporter's carrier",
  help: [
    'usage: fraudctl report <reported> --by <reporter> [--category fraud|harassment|spam] [--at TIME] [--carrier ID]',
    '',
    'Files the complaint of subscriber <reporter> against <reported> with the',
    "reporter's carrier, as its complaint desk would (IngestEvents with one report",
    'event, carrier:<ID> role). The carrier weighs it: a report counts as',
    'corroborated only when the reporter really received a call or SMS from the number.',
    '',
    'Options:',
    '  --by NUMBER            the reporting subscriber (required)',
    '  --category C           fraud (default), harassment or spam',
    '  --at TIME              when the report was made, ISO 8601 (default now)',
    "  --carrier ID           the reporter's carrier (default: its owner, from the admin's GetOwner)",
  ],
  options: stringOptions('by', 'category', 'at', 'carrier'),
  async run(ctx, args) {
    const [reportedText] = positionals(args, ['reported'], 'report');
    const reported = number(reportedText, 'reported');
    const reporter = number(requiredOption(args.values, 'by', 'report'), '--by');
    const category = choice(
      stringOption(args.values, 'category') ?? ReportCategory.Fraud,
      reportCategory.values,
      '--category',
      'report',
    );
    const atText = stringOption(args.values, 'at');
    const atMs = atText === undefined ? Date.now() : Date.parse(atText);
    if (Number.isNaN(atMs))
      throw new CliError(
        `invalid --at: "${atText}" is not an ISO 8601 time such as 2024-03-02T20:00:00+08:00`,
        ExitCode.InvalidArgument,
      );
    const owner = await ownerOf(ctx, args.values, reporter, 'report');
    const event: carrier.Event = {
      id: idempotencyKey(args.values),
      atMs,
      report: { reporter, reported, category: reportCategory.toWire(category) },
    };
    if (ctx.dryRun(ctx.carrier(owner.carrier), `carrier:${owner.carrier}`, 'ingestEvents', [event])) return;
    const answer = await ctx.ingest(ctx.carrier(owner.carrier), `carrier:${owner.carrier}`, [event]);
    const refusal = answer.rejections[0];
    if (answer.rejected > 0 || refusal) {
      throw new CliError(
        `carrier ${owner.carrier} refused the report: ` +
          (refusal ? `${refusal.field}: ${refusal.reason}` : 'no reason given'),
        ExitCode.InvalidArgument,
      );
    }
    if (ctx.json) return ctx.printJson({ carrier: owner.carrier, event, ...answer });
    ctx.print(
      fields([
        ['reported', reported],
        ['by', reporter],
        ['category', category],
        ['at', new Date(atMs).toISOString()],
        ['carrier', owner.carrier],
        [
          'result',
          answer.duplicates > 0 ? 'already filed (same --key)' : `accepted; ${answer.decisions} decision(s) followed`,
        ],
      ]),
    );
  },
});

export const reactivateCommand: Command = changesState({
  name: 'reactivate',
  summary: 'restore a suspended number after an ID check at a shop or by e-ID',
  help: [
    'usage: fraudctl reactivate <number> --national-id ID --reference REF [--not-verified] [--carrier ID]',
    '',
    "Records the subscriber's ID check with the owning carrier (Reactivate,",
    'carrier:<ID> role). A suspended number is restored while re-activation chances',
    'remain in the policy window; otherwise the case is referred to police',
    'verification. A number the registry lists as CONFIRMED (police-confirmed',
    'fraud) is not restored: outcome CONFIRMED_FRAUD. The ID number is checked here',
    '(GB 11643 check character) and kept by the carrier only as a keyed hash and',
    'its last four characters.',
    '',
    'Options:',
    '  --national-id ID       the 18-character national ID number checked (required)',
    '  --reference REF        the shop ticket or e-ID transaction (required; never the ID number)',
    '  --not-verified         the ID check failed (the number stays suspended)',
    CARRIER_OPTION_HELP,
  ],
  options: {
    ...stringOptions('national-id', 'reference', 'carrier'),
    'not-verified': { type: 'boolean' },
  },
  async run(ctx, args) {
    const [text] = positionals(args, ['number'], 'reactivate');
    const msisdn = number(text, 'number');
    const nationalIdText = requiredOption(args.values, 'national-id', 'reactivate');
    const reference = requiredOption(args.values, 'reference', 'reactivate');
    try {
      parseNationalId(nationalIdText, '--national-id');
    } catch (error) {
      if (error instanceof ValidationError) invalidArgument(error, '--national-id');
      throw error;
    }
    const owner = await ownerOf(ctx, args.values, msisdn, 'reactivate');
    const request: carrier.ReactivateRequest = {
      idempotencyKey: idempotencyKey(args.values),
      msisdn,
      verificationReference: reference,
      nationalId: nationalIdText,
      idVerified: args.values['not-verified'] !== true,
    };
    // Printed, the national ID shows its last four characters only, as the carrier keeps it.
    const shown = { ...request, nationalId: `${'*'.repeat(14)}${nationalIdText.slice(-4)}` };
    if (ctx.dryRun(ctx.carrier(owner.carrier), `carrier:${owner.carrier}`, 'reactivate', shown)) return;
    const answer = await callOwner<carrier.ReactivateResponse>(ctx, owner, 'reactivate', request);
    if (ctx.json) return ctx.printJson({ carrier: owner.carrier, ...answer });
    ctx.print(counterAnswer(answer, owner, reactivationOutcome, ['state', enumLabel(answer.state, action)]));
  },
});

export const declareProfileCommand: Command = changesState({
  name: 'declare-profile',
  summary: "record an employer's attestation of a number's work use (courier, delivery, ...)",
  help: [
    'usage: fraudctl declare-profile <number> <courier|delivery|logistics|enterprise|none> ' +
      '--attested-by WHO --reference REF [--carrier ID]',
    '',
    "Declares the number's usage profile with the owning carrier (DeclareProfile,",
    "carrier:<ID> role; audited): a declared courier's call volume is weighed",
    "against a courier's, not a private person's. `none` withdraws a declaration.",
    'A number the registry lists as CONFIRMED keeps its profile: outcome',
    'CONFIRMED_FRAUD (recorded, nothing changed).',
    '',
    'Options:',
    '  --attested-by WHO      the employer or platform attesting, e.g. "SF Express Chengdu depot" ' +
      '(the carrier requires it)',
    '  --reference REF        their reference for the attestation (the carrier requires it)',
    CARRIER_OPTION_HELP,
  ],
  options: stringOptions('attested-by', 'reference', 'carrier'),
  async run(ctx, args) {
    const [text, profileText] = positionals(args, ['number', 'profile'], 'declare-profile');
    const msisdn = number(text, 'number');
    const profile = choice(profileText, usageProfile.values, '<profile>', 'declare-profile');
    const owner = await ownerOf(ctx, args.values, msisdn, 'declare-profile');
    const request: carrier.DeclareProfileRequest = {
      idempotencyKey: idempotencyKey(args.values),
      msisdn,
      profile: usageProfile.toWire(profile),
      attestedBy: stringOption(args.values, 'attested-by') ?? '',
      attestationReference: stringOption(args.values, 'reference') ?? '',
    };
    if (ctx.dryRun(ctx.carrier(owner.carrier), `carrier:${owner.carrier}`, 'declareProfile', request)) return;
    const answer = await callOwner<carrier.DeclareProfileResponse>(ctx, owner, 'declareProfile', request);
    if (ctx.json) return ctx.printJson({ carrier: owner.carrier, ...answer });
    ctx.print(
      counterAnswer(answer, owner, declarationOutcome, [
        'profile',
        enumLabel(answer.profile, usageProfile).toLowerCase(),
      ]),
    );
  },
});

/**
 * The answer to a subscriber's request at the owning carrier's counter: the
 * number, the carrier, the outcome and what it left (`detail`), with a note when
 * police-confirmed fraud stopped it.
 */
function counterAnswer(
  answer: { msisdn: string; outcome: string; replayed: boolean },
  owner: Owner,
  outcomes: Pick<EnumCodec<string, string>, 'name' | 'tryFromWire'>,
  detail: [string, string],
): string[] {
  return fields([
    ['number', answer.msisdn],
    ['carrier', owner.carrier],
    ['outcome', enumLabel(answer.outcome, outcomes)],
    detail,
    ...(outcomes.tryFromWire(answer.outcome) === 'CONFIRMED_FRAUD'
      ? [['note', CONFIRMED_FRAUD_NOTE] as [string, string]]
      : []),
    ...replayedRow(answer.replayed),
  ]);
}
