import { status } from '@grpc/grpc-js';

/** fraudctl's exit statuses (docs/fraudctl.md): scripts branch on them. */
export enum ExitCode {
  Ok = 0,
  /** Anything not below: a refused precondition, an internal error, a bad local setting. */
  Other = 1,
  /** Unknown command or flag, a missing argument, a value that is not one of the choices. */
  Usage = 2,
  /** A malformed argument (number, cell, national ID), found here or by the server. */
  InvalidArgument = 3,
  NotFound = 4,
  /** No token, a token the server refuses, or a role that may not do this. */
  Permission = 5,
  /** The server cannot be reached or did not answer in time. */
  Unavailable = 6,
  /** `--wait` gave up before the awaited outcome (directives issue --wait --timeout). */
  Timeout = 7,
}

export function exitCodeOfStatus(code: status): ExitCode {
  switch (code) {
    case status.INVALID_ARGUMENT:
    case status.OUT_OF_RANGE:
      return ExitCode.InvalidArgument;
    case status.NOT_FOUND:
      return ExitCode.NotFound;
    case status.PERMISSION_DENIED:
    case status.UNAUTHENTICATED:
      return ExitCode.Permission;
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
      return ExitCode.Unavailable;
    default:
      return ExitCode.Other;
  }
}
