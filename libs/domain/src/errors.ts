/**
 * What went wrong, in terms every transport understands. Each feature declares
 * its codes with their kinds in one table (`errorCodes`); libs/grpc maps each kind
 * to its gRPC status code and HTTP status in one table (STATUS_OF_KIND).
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

/** An error with a code of its feature (KEY_REUSED, NOT_LISTED): the HTTP API answers the code as `error`. */
export class FeatureError<Code extends string = string> extends DomainError {
  constructor(
    readonly code: Code,
    readonly kind: ErrorKind,
    message: string,
    field?: string,
  ) {
    super(message, field);
  }
}

/** A feature's error class, made by `errorCodes`. */
export interface FeatureErrorClass<Code extends string> {
  new (code: Code, message: string, field?: string): FeatureError<Code>;
  /** Each code's kind. */
  readonly kinds: Readonly<Record<Code, ErrorKind>>;
}

/**
 * A feature's errors as data: each code with the kind it is answered as. The
 * class it gives is named `name` and raised with a code of the table:
 *
 *   export const CellsError = errorCodes('CellsError', {
 *     KEY_REUSED: ErrorKind.AlreadyExists,
 *     NOT_LISTED: ErrorKind.NotFound,
 *   });
 *   throw new CellsError('NOT_LISTED', `${cell} is not on the high-risk cell list`, 'cell');
 */
export function errorCodes<Code extends string>(
  name: string,
  kinds: Readonly<Record<Code, ErrorKind>>,
): FeatureErrorClass<Code> {
  const featureError = class extends FeatureError<Code> {
    static readonly kinds = kinds;

    constructor(code: Code, message: string, field?: string) {
      super(code, kinds[code], message, field);
    }
  };
  Object.defineProperty(featureError, 'name', { value: name });
  return featureError;
}

/** Invalid input that is not specific to one feature (numbers, times, paging). */
export enum ValidationErrorCode {
  Required = 'REQUIRED',
  Malformed = 'MALFORMED',
  OutOfRange = 'OUT_OF_RANGE',
}

export class ValidationError extends FeatureError<ValidationErrorCode> {
  constructor(
    code: ValidationErrorCode,
    field: string,
    readonly reason: string,
  ) {
    super(code, ErrorKind.InvalidArgument, reason, field);
  }

  /** The same error, reported under a longer path (e.g. `flags[3].` + field). */
  under(prefix: string): ValidationError {
    return new ValidationError(this.code, `${prefix}${this.field ?? ''}`, this.reason);
  }
}
