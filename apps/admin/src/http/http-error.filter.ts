import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { DomainError, ErrorKind, FeatureError } from '@app/domain';
import { httpStatusOfKind } from '@app/grpc';

/** The JSON body of every failed HTTP request. */
export interface HttpErrorBody {
  /** The feature's error code (e.g. ROLE_NOT_ALLOWED, REQUIRED), or the kind when it has none. */
  error: string;
  message: string;
  /** The request field at fault, when one is. */
  field?: string;
}

export const INTERNAL_ERROR_MESSAGE = 'internal error';

export { httpStatusOfKind };

/** Names for the statuses Nest and Express raise themselves (unknown route, malformed JSON, body too large). */
const HTTP_ERROR_NAMES: Readonly<Record<number, string>> = {
  400: ErrorKind.InvalidArgument,
  401: ErrorKind.Unauthenticated,
  403: ErrorKind.PermissionDenied,
  404: ErrorKind.NotFound,
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/** Status and body for an exception meant for the caller; undefined for anything else (a bug, a driver error). */
export function httpErrorOf(exception: unknown): { status: number; body: HttpErrorBody } | undefined {
  if (exception instanceof DomainError) {
    const { field } = exception;
    return {
      status: httpStatusOfKind(exception.kind),
      body: {
        error: exception instanceof FeatureError ? exception.code : exception.kind,
        message: exception.message,
        ...(field === undefined ? {} : { field }),
      },
    };
  }
  if (exception instanceof HttpException && exception.getStatus() < 500) {
    const status = exception.getStatus();
    return { status, body: { error: HTTP_ERROR_NAMES[status] ?? `HTTP_${status}`, message: exception.message } };
  }
  return undefined;
}

/**
 * The global filter of the admin's HTTP side: domain errors reach the caller
 * with their kind's status, code, message and field; anything else is logged
 * here with its stack and answered 500 "internal error", with no internals.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<{ method?: string; originalUrl?: string }>();
    const response = http.getResponse<{
      headersSent: boolean;
      status(code: number): { json(body: unknown): void };
      end(): void;
    }>();
    let answer = httpErrorOf(exception);
    if (!answer) {
      const what = `HTTP ${request.method ?? ''} ${request.originalUrl?.split('?')[0] ?? ''}`;
      if (exception instanceof Error) this.logger.error(`${what} failed: ${exception.message}`, exception.stack);
      else this.logger.error(`${what} failed with a non-error value: ${String(exception)}`);
      answer = { status: 500, body: { error: 'INTERNAL', message: INTERNAL_ERROR_MESSAGE } };
    }
    // A stream that failed half-way can only be cut.
    if (response.headersSent) return response.end();
    response.status(answer.status).json(answer.body);
  }
}
