import { parseArgs } from 'node:util';
import { ValidationError } from '@app/domain';
import type { Command, Parsed } from './command';
import { checkCommand } from './commands/check';
import { cellsCommand } from './commands/cells';
import { directivesCommand } from './commands/directives';
import { explainCommand } from './commands/explain';
import { policeCommand } from './commands/police';
import { reviewsCommand } from './commands/reviews';
import { rulesCommand } from './commands/rules';
import { declareProfileCommand, reactivateCommand, reportCommand } from './commands/subscriber';
import { tokenCommand } from './commands/token';
import { Context, GLOBAL_HELP, GLOBAL_OPTIONS, type GlobalValues, type Io } from './context';
import { CliError, UsageError } from './errors';
import { ExitCode } from './exit-codes';

export { ExitCode } from './exit-codes';
export type { Io } from './context';

export const COMMANDS: readonly Command[] = [
  checkCommand,
  explainCommand,
  reportCommand,
  reactivateCommand,
  declareProfileCommand,
  policeCommand,
  directivesCommand,
  reviewsCommand,
  cellsCommand,
  rulesCommand,
  tokenCommand,
];

export function topLevelHelp(): string[] {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: fraudctl <command> [arguments] [options]',
    '',
    'Operate the fraud-number services: the registry, the administration and the carriers.',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    ...GLOBAL_HELP,
    '',
    "Tokens: --token, else the role's variable from npm start's banner (ANALYST_TOKEN,",
    'POLICE_TOKEN, ADMIN_TOKEN, CARRIER_<ID>_TOKEN or a matching CARRIER_TOKEN), else a',
    'five-minute token minted from the dev signing key in .data/keys when it exists.',
    '',
    'Exit status: 0 ok, 1 other failure, 2 usage error, 3 invalid argument,',
    '4 not found, 5 permission (no or refused token, role not allowed), 6 server unavailable.',
    '',
    'Run "fraudctl <command> --help" for a command\'s arguments and options.',
  ];
}

/**
 * Runs one fraudctl command line: prints to io.stdout / io.stderr and resolves
 * with the exit status (never throws, never exits the process).
 */
export async function run(argv: readonly string[], io: Io): Promise<ExitCode> {
  const err = (line: string) => io.stderr.write(`${line}\n`);
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const lines = topLevelHelp();
    for (const line of lines) (name === undefined ? io.stderr : io.stdout).write(`${line}\n`);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    err(
      name.startsWith('-')
        ? `fraudctl: the command comes first, before options like ${name}`
        : `fraudctl: unknown command "${name}"`,
    );
    err('Run "fraudctl --help" for the list of commands.');
    return ExitCode.Usage;
  }
  let ctx: Context | undefined;
  try {
    const parsed = parseArgs({
      args: [...rest],
      options: { ...GLOBAL_OPTIONS, ...command.options },
      strict: true,
      allowPositionals: true,
    });
    if (parsed.values.help) {
      for (const line of [...command.help, '', ...GLOBAL_HELP]) io.stdout.write(`${line}\n`);
      return ExitCode.Ok;
    }
    ctx = new Context(io, parsed.values as GlobalValues);
    await command.run(ctx, parsed as Parsed);
    return ExitCode.Ok;
  } catch (error) {
    return report(error, command.name, err);
  } finally {
    ctx?.close();
  }
}

function report(error: unknown, command: string, err: (line: string) => void): ExitCode {
  const parseError = (error as { code?: unknown }).code;
  if (error instanceof UsageError || (typeof parseError === 'string' && parseError.startsWith('ERR_PARSE_ARGS'))) {
    err(`fraudctl ${command}: ${(error as Error).message}`);
    err(`Run "fraudctl ${command} --help" for usage.`);
    return ExitCode.Usage;
  }
  if (error instanceof CliError) {
    err(`fraudctl ${command}: ${error.message}`);
    return error.exitCode;
  }
  if (error instanceof ValidationError) {
    err(`fraudctl ${command}: invalid ${error.field ?? 'argument'}: ${error.reason}`);
    return ExitCode.InvalidArgument;
  }
  err(`fraudctl ${command}: ${(error as Error).message ?? String(error)}`);
  return ExitCode.Other;
}
