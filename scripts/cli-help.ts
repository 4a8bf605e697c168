/**
 * `--help` asked for: the usage is the answer, on standard output with exit code 0
 * (a usage error goes to standard error with exit code 2).
 */
export class HelpRequested extends Error {}

/**
 * The command line as `parse` reads it, or undefined once it was answered: the usage on standard output for --help,
 * or a usage error (after `prefix`) on standard error with exit code 2.
 */
export function commandLine<T>(parse: (argv: string[]) => T, prefix = ''): T | undefined {
  try {
    return parse(process.argv.slice(2));
  } catch (error) {
    if (error instanceof HelpRequested) process.stdout.write(`${error.message}\n`);
    else {
      process.stderr.write(`${prefix}${(error as Error).message}\n`);
      process.exitCode = 2;
    }
    return undefined;
  }
}
