/**
 * `--help` asked for: the usage is the answer, on standard output with exit code 0
 * (a usage error goes to standard error with exit code 2).
 */
export class HelpRequested extends Error {}
