import type { carrier, registryV2 } from '@app/contracts';
import { callVerdict, numberStatus } from '@app/contracts/codecs';
import { CARRIER_IDS } from '@app/domain';
import { number, positionals, stringOption, stringOptions, type Command } from '../command';
import { parseCarrierId } from '../context';
import { UsageError } from '../errors';
import { enumLabel, fields, table } from '../output';

/** CheckNumbers takes at most 10,000 numbers. */
const MAX_NUMBERS = 10_000;

export const checkCommand: Command = {
  name: 'check',
  summary: "registry status of numbers, or a carrier's call-setup verdict",
  help: [
    'usage: fraudctl check <number>...',
    '       fraudctl check --carrier <ID> --from <caller> --to <callee>',
    '',
    'The first form asks the registry for the status of each number (CheckNumbers v2,',
    'analyst role): NOT_LISTED, SUSPECTED, CONFIRMED or CLEARED, and the registry',
    'version the answer reflects.',
    'The second asks a carrier what its switches would do with a call from <caller>',
    'to <callee> (CheckCall, carrier:<ID> role): ALLOW, LABEL or BLOCK, and why.',
    'Numbers in E.164 (+8619112345678) or 11 national digits (19112345678).',
    '',
    'Options:',
    `  --carrier ID           ${CARRIER_IDS.join(', ')}: the carrier whose switch asks`,
    '  --from NUMBER          the caller',
    '  --to NUMBER            the callee',
  ],
  options: stringOptions('carrier', 'from', 'to'),
  async run(ctx, args) {
    const carrierText = stringOption(args.values, 'carrier');
    const from = stringOption(args.values, 'from');
    const to = stringOption(args.values, 'to');
    if (carrierText !== undefined || from !== undefined || to !== undefined) {
      if (carrierText === undefined || from === undefined || to === undefined)
        throw new UsageError('a call check needs --carrier, --from and --to', 'check');
      positionals(args, [], 'check');
      const id = parseCarrierId(carrierText, '--carrier', 'check');
      const request: carrier.CheckCallRequest = { caller: number(from, '--from'), callee: number(to, '--to') };
      const answer = await ctx.call<carrier.CheckCallResponse>(ctx.carrier(id), `carrier:${id}`, 'checkCall', request);
      if (ctx.json) return ctx.printJson({ carrier: id, ...request, ...answer });
      ctx.print(
        fields([
          ['caller', request.caller],
          ['callee', request.callee],
          ['carrier', id],
          ['verdict', enumLabel(answer.verdict, callVerdict)],
          ['reasons', answer.reasons.length > 0 ? answer.reasons.join(', ') : '-'],
        ]),
      );
      return;
    }
    if (args.positionals.length === 0) throw new UsageError('missing <number>...', 'check');
    if (args.positionals.length > MAX_NUMBERS)
      throw new UsageError(`at most ${MAX_NUMBERS} numbers per check, got ${args.positionals.length}`, 'check');
    const msisdns = args.positionals.map((text, i) =>
      number(text, args.positionals.length === 1 ? 'number' : `number ${i + 1} ("${text}")`),
    );
    // v2 answers the statuses alone, in request order: the numbers are ours.
    const answer = await ctx.call<registryV2.CheckNumbersResponse>(ctx.registryV2(), 'analyst', 'checkNumbers', {
      msisdns,
      e164: [],
    } satisfies registryV2.CheckNumbersRequest);
    const results = msisdns.map((msisdn, i) => ({ msisdn, status: answer.statuses[i] }));
    if (ctx.json) return ctx.printJson({ version: answer.version, results });
    ctx.print([
      ...table(
        ['NUMBER', 'STATUS'],
        results.map((r) => [r.msisdn, enumLabel(r.status, numberStatus)]),
      ),
      '',
      `registry version ${answer.version}`,
    ]);
  },
};
