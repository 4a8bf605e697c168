import { status, type ServiceError } from '@grpc/grpc-js';
import { ExitCode, exitCodeOfStatus } from './exit-codes';

/** A mistake in the command line: printed with a pointer to the command's --help, exit 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose --help to point at (`cells add`), or undefined for the top level. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A failure already described for the operator, with its exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** What --json prints for it: the gRPC status name, else the exit status's (see errorCodeOf). */
    readonly detail: { code?: string; field?: string } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The `error.code` of --json for a failure with no gRPC status: named after its exit status. */
export function errorCodeOf(exitCode: ExitCode): string {
  switch (exitCode) {
    case ExitCode.Ok:
      return 'OK';
    case ExitCode.Usage:
      return 'USAGE';
    case ExitCode.InvalidArgument:
      return 'INVALID_ARGUMENT';
    case ExitCode.NotFound:
      return 'NOT_FOUND';
    case ExitCode.Permission:
      return 'PERMISSION_DENIED';
    case ExitCode.Unavailable:
      return 'UNAVAILABLE';
    case ExitCode.Timeout:
      return 'TIMEOUT';
    case ExitCode.Other:
      return 'FAILED';
  }
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number' && 'details' in error;
}

/**
 * `NOT_FOUND from the admin (127.0.0.1:50052): msisdn: ...`: the status name
 * and the server's message, which names the field.
 */
export function describeServiceError(error: ServiceError, server: string): CliError {
  const name = status[error.code] ?? String(error.code);
  // grpc-js ends connection failures with an empty "Resolution note:".
  const details = (error.details || error.message).replace(/\s*Resolution note:\s*$/, '');
  const hint =
    error.code === status.UNAVAILABLE
      ? ' (is it running? see --help for addresses)'
      : error.code === status.UNAUTHENTICATED
        ? " (pass --token or set the role's token variable)"
        : '';
  // The services name the field first (`msisdn: is not a subscriber of this carrier`).
  const field = /^([A-Za-z_][\w.[\]-]*): /.exec(details)?.[1];
  return new CliError(`${name} from ${server}: ${details}${hint}`, exitCodeOfStatus(error.code), {
    code: name,
    ...(field === undefined ? {} : { field }),
  });
}
