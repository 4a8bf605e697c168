import { status as GrpcCode } from '@grpc/grpc-js';
import { Catch, HttpException, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { GrpcException, RpcException } from '@nestjs/microservices';
import { throwError, type Observable } from 'rxjs';
import { DomainError } from '@app/domain';
import { grpcCodeOfKind, STATUS_OF_KIND } from './error-kind-status';

/**
 * What grpc-js sends for a failed call: `code` and `details` (not `message`) are
 * read by its serverErrorToStatus, for unary callbacks and for streams alike.
 */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: GrpcCode,
    readonly details: string,
  ) {
    super(details);
    this.name = 'GrpcStatusError';
  }
}

export { grpcCodeOfKind };

export const INTERNAL_ERROR_DETAILS = 'internal error';

/** HTTP statuses Nest's own pipes and guards may throw, when meant for the caller: each kind's, and two more. */
const HTTP_TO_GRPC: ReadonlyMap<number, GrpcCode> = new Map([
  ...Object.values(STATUS_OF_KIND).map(({ http, grpc }) => [http, grpc] as const),
  [422, GrpcCode.INVALID_ARGUMENT],
  [501, GrpcCode.UNIMPLEMENTED],
]);

/** Nest's message when a guard returns false instead of throwing. */
const NEST_FORBIDDEN_MESSAGE = 'Forbidden resource';

/**
 * The status a caller may see for an exception, or undefined when it is not
 * meant for the caller (a bug, a driver error, a downstream call's failure).
 */
export function callerStatusOf(exception: unknown): GrpcStatusError | undefined {
  if (exception instanceof DomainError) return new GrpcStatusError(grpcCodeOfKind(exception.kind), exception.message);
  if (exception instanceof GrpcStatusError) return exception;
  if (exception instanceof GrpcException) {
    const code: unknown = exception.getCode();
    return validCode(code) ? new GrpcStatusError(code, exception.message) : undefined;
  }
  if (exception instanceof RpcException) {
    const error = exception.getError();
    if (typeof error === 'object' && error !== null && 'code' in error && validCode(error.code))
      return new GrpcStatusError(error.code, exception.message);
    if (exception.message === NEST_FORBIDDEN_MESSAGE)
      return new GrpcStatusError(GrpcCode.PERMISSION_DENIED, 'permission denied');
    return undefined;
  }
  if (exception instanceof HttpException) {
    const code = HTTP_TO_GRPC.get(exception.getStatus());
    return code === undefined ? undefined : new GrpcStatusError(code, httpMessage(exception));
  }
  return undefined;
}

function validCode(code: unknown): code is GrpcCode {
  return typeof code === 'number' && Number.isInteger(code) && code > GrpcCode.OK && code <= GrpcCode.UNAUTHENTICATED;
}

/** ValidationPipe puts one message per invalid field in an array. */
function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const { message } = response as { message: unknown };
    if (Array.isArray(message)) return message.map(String).join('; ');
    if (typeof message === 'string') return message;
  }
  return exception.message;
}

const filterLogger = new Logger('GrpcExceptionFilter');

/**
 * The status a caller gets for any exception of a handler of `rpc`: the caller's
 * (callerStatusOf), else INTERNAL "internal error", the exception logged here with its stack.
 */
export function statusForCaller(exception: unknown, rpc: string | undefined): GrpcStatusError {
  const status = callerStatusOf(exception);
  if (status) return status;
  const name = rpc ?? 'gRPC call';
  if (exception instanceof Error) filterLogger.error(`${name} failed: ${exception.message}`, exception.stack);
  else filterLogger.error(`${name} failed with a non-error value: ${String(exception)}`);
  return new GrpcStatusError(GrpcCode.INTERNAL, INTERNAL_ERROR_DETAILS);
}

/**
 * The global filter of every gRPC app: domain errors reach the caller with their
 * kind's status and their message; anything else is logged here with its stack
 * and reaches the caller as INTERNAL "internal error", with no internals.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    const status = statusForCaller(exception, rpcPathOf(host));
    return throwError(() => status);
  }
}

/** Nest passes (request, metadata, call) to gRPC handlers; the call knows its path. */
function rpcPathOf(host: ArgumentsHost): string | undefined {
  for (const arg of host.getArgs<unknown[]>()) {
    if (typeof arg === 'object' && arg !== null && 'getPath' in arg && typeof arg.getPath === 'function')
      return String(arg.getPath()).replace(/^\//, '');
  }
  return undefined;
}
