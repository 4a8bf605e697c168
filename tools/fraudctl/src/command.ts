import { normaliseMsisdn, parseCellId, type CellId, type Msisdn } from '@app/domain';
import { invalidArgument, type Context } from './context';
import { UsageError } from './errors';

export type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Parsed {
  values: Values;
  positionals: string[];
}

/** One top-level command: `fraudctl <name> …`. */
export interface Command {
  name: string;
  /** Its first words (`cells add`), for shell completion. */
  subcommands?: readonly string[];
  /** One line for the top-level --help. */
  summary: string;
  /** Its own --help: usage lines, then what it does and its options. */
  help: string[];
  options: Record<string, OptionSpec>;
  run(ctx: Context, args: Parsed): Promise<void>;
}

export function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requiredOption(values: Values, name: string, command: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`, command);
  return value;
}

/** Exactly `count` positionals, named for the message. */
export function positionals(args: Parsed, names: string[], command: string): string[] {
  if (args.positionals.length < names.length)
    throw new UsageError(
      `missing ${names
        .slice(args.positionals.length)
        .map((n) => `<${n}>`)
        .join(' ')}`,
      command,
    );
  if (args.positionals.length > names.length)
    throw new UsageError(`unexpected argument "${args.positionals[names.length]}"`, command);
  return args.positionals;
}

/** A command's subcommand: its first argument, one of `choices`; none given is the first choice (the default). */
export function subcommand<T extends string>(args: Parsed, choices: readonly T[], command: string): T {
  return args.positionals.length === 0
    ? choices[0]
    : choice(args.positionals[0], choices, `the ${command} subcommand`, command);
}

/** The default subcommand, named or not, takes no argument of its own. */
export function defaultSubcommandOnly(args: Parsed, name: string, command: string): void {
  positionals(args, args.positionals.length === 0 ? [] : [name], command);
}

/** A number as the services accept it, normalised to E.164 here so a typo is caught before any call. */
export function number(text: string, argument: string): Msisdn {
  try {
    return normaliseMsisdn(text, argument);
  } catch (error) {
    return invalidArgument(error, argument);
  }
}

export function cell(text: string, argument: string): CellId {
  try {
    return parseCellId(text, argument);
  } catch (error) {
    return invalidArgument(error, argument);
  }
}

/** One of the choices (case-insensitive), else a usage error listing them. */
export function choice<T extends string>(
  text: string | undefined,
  choices: readonly T[],
  what: string,
  command: string,
): T {
  const found = choices.find((c) => c === text?.toLowerCase());
  if (found === undefined)
    throw new UsageError(
      `${what} must be one of ${choices.join(', ')}, got ${text === undefined ? 'nothing' : `"${text}"`}`,
      command,
    );
  return found;
}

export function wholeNumber(
  text: string | undefined,
  flag: string,
  command: string,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max)
    throw new UsageError(`${flag} takes a whole number from ${min} to ${max}, got "${text}"`, command);
  return value;
}

/** Options that each take a value (`--reason TEXT`), by name. */
export function stringOptions(...names: string[]): Record<string, OptionSpec> {
  return Object.fromEntries(names.map((name) => [name, { type: 'string' }]));
}
