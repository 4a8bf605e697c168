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
import { completionCommand } from './commands/completion';
import { contextCommand } from './commands/contexts';
import { versionCommand } from './commands/version';
import { whoamiCommand } from './commands/whoami';
import { Context, GLOBAL_HELP, GLOBAL_OPTIONS, type GlobalValues, type Io } from './context';
import { CliError, errorCodeOf, UsageError } from './errors';
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
  whoamiCommand,
  contextCommand,
  versionCommand,
  completionCommand(() => COMMANDS),
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
    '4 not found, 5 permission (no or refused token, role not allowed), 6 server unavailable,',
    '7 timed out (--wait). With --json, a failure is {"error":{"code","message","field"}} on stderr.',
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
  // Scripts that asked for JSON get their failures as JSON too, even when the command line does not parse.
  const json = argv.includes('--json');
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const lines = topLevelHelp();
    for (const line of lines) (name === undefined ? io.stderr : io.stdout).write(`${line}\n`);
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const message = name.startsWith('-')
      ? `the command comes first, before options like ${name}`
      : `unknown command "${name}"`;
    if (json) io.stderr.write(`${JSON.stringify({ error: { code: errorCodeOf(ExitCode.Usage), message } })}\n`);
    else {
      err(`fraudctl: ${message}`);
      err('Run "fraudctl --help" for the list of commands.');
    }
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
    const failure = describe(error, command.name);
    if (json) {
      const { code, message, field } = failure;
      io.stderr.write(`${JSON.stringify({ error: { code, message, ...(field === undefined ? {} : { field }) } })}\n`);
    } else {
      for (const line of failure.lines) err(line);
    }
    return failure.exitCode;
  } finally {
    ctx?.close();
  }
}

interface Failure {
  exitCode: ExitCode;
  /** The gRPC status name when a server answered, else named after the exit status. */
  code: string;
  message: string;
  field?: string;
  /** The text form, on stderr. */
  lines: string[];
}

function describe(error: unknown, command: string): Failure {
  const parseError = (error as { code?: unknown }).code;
  const message = (error as Error).message ?? String(error);
  if (error instanceof UsageError || (typeof parseError === 'string' && parseError.startsWith('ERR_PARSE_ARGS'))) {
    return {
      exitCode: ExitCode.Usage,
      code: errorCodeOf(ExitCode.Usage),
      message,
      lines: [`fraudctl ${command}: ${message}`, `Run "fraudctl ${command} --help" for usage.`],
    };
  }
  if (error instanceof CliError) {
    return {
      exitCode: error.exitCode,
      code: error.detail.code ?? errorCodeOf(error.exitCode),
      message,
      field: error.detail.field,
      lines: [`fraudctl ${command}: ${message}`],
    };
  }
  if (error instanceof ValidationError) {
    const text = `invalid ${error.field ?? 'argument'}: ${error.reason}`;
    return {
      exitCode: ExitCode.InvalidArgument,
      code: errorCodeOf(ExitCode.InvalidArgument),
      message: text,
      field: error.field,
      lines: [`fraudctl ${command}: ${text}`],
    };
  }
  return {
    exitCode: ExitCode.Other,
    code: errorCodeOf(ExitCode.Other),
    message,
    lines: [`fraudctl ${command}: ${message}`],
  };
}
