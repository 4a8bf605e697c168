/**
 * What went wrong, in terms every transport understands. Each feature keeps its
 * own code enum and maps each code to one kind; libs/grpc maps kinds to gRPC
 * status codes in one place.
 */
export enum ErrorKind {
  InvalidArgument = 'INVALID_ARGUMENT',
  NotFound = 'NOT_FOUND',
  AlreadyExists = 'ALREADY_EXISTS',
  FailedPrecondition = 'FAILED_PRECONDITION',
  PermissionDenied = 'PERMISSION_DENIED',
  Unauthenticated = 'UNAUTHENTICATED',
  ResourceExhausted = 'RESOURCE_EXHAUSTED',
  Unavailable = 'UNAVAILABLE',
}

/** Base of every feature's error: safe to show to the caller as is. */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;

  protected constructor(
    message: string,
    /** The request field at fault, e.g. `flags[3].msisdn`. */
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = new.target.name;
  }
}

/** Invalid input that is not specific to one feature (numbers, times, paging). */
export enum ValidationErrorCode {
  Required = 'REQUIRED',
  Malformed = 'MALFORMED',
  OutOfRange = 'OUT_OF_RANGE',
}

export class ValidationError extends DomainError {
  readonly kind = ErrorKind.InvalidArgument;

  constructor(
    readonly code: ValidationErrorCode,
    field: string,
    readonly reason: string,
  ) {
    super(reason, field);
  }

  /** The same error, reported under a longer path (e.g. `flags[3].` + field). */
  under(prefix: string): ValidationError {
    return new ValidationError(this.code, `${prefix}${this.field ?? ''}`, this.reason);
  }
}
