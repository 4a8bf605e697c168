import { BadRequestException, Logger, NotFoundException, type ArgumentsHost } from '@nestjs/common';
import { ErrorKind, ValidationError, ValidationErrorCode } from '@app/domain';
import { AuthError } from '@app/grpc';
import { HttpErrorFilter, httpErrorOf, httpStatusOfKind } from './http-error.filter';

describe(httpStatusOfKind.name, () => {
  it('maps every error kind to its status', () => {
    expect(Object.values(ErrorKind).map((kind) => [kind, httpStatusOfKind(kind)])).toEqual([
      [ErrorKind.InvalidArgument, 400],
      [ErrorKind.NotFound, 404],
      [ErrorKind.AlreadyExists, 409],
      [ErrorKind.FailedPrecondition, 412],
      [ErrorKind.PermissionDenied, 403],
      [ErrorKind.Unauthenticated, 401],
      [ErrorKind.ResourceExhausted, 429],
      [ErrorKind.Unavailable, 503],
    ]);
  });
});

describe(httpErrorOf.name, () => {
  it('answers a domain error with its code, message and field', () => {
    expect(httpErrorOf(new ValidationError(ValidationErrorCode.Required, 'purpose', 'is required'))).toEqual({
      status: 400,
      body: { error: 'REQUIRED', message: 'purpose: is required', field: 'purpose' },
    });
    expect(
      httpErrorOf(new AuthError('ROLE_NOT_ALLOWED', 'role analyst may not call HTTP POST /api/directives')),
    ).toEqual({
      status: 403,
      body: { error: 'ROLE_NOT_ALLOWED', message: 'role analyst may not call HTTP POST /api/directives' },
    });
  });

  it('passes on what Nest and Express raise for the caller (unknown route, malformed JSON)', () => {
    expect(httpErrorOf(new NotFoundException('Cannot GET /api/nothing'))).toEqual({
      status: 404,
      body: { error: 'NOT_FOUND', message: 'Cannot GET /api/nothing' },
    });
    expect(httpErrorOf(new BadRequestException('Unexpected token'))?.status).toBe(400);
  });

  it('keeps everything else for the filter to hide', () => {
    expect(httpErrorOf(new Error('relation "case_file" does not exist'))).toBeUndefined();
  });
});

describe(HttpErrorFilter.name, () => {
  const hostFor = (response: object): ArgumentsHost =>
    ({
      switchToHttp: () => ({
        getRequest: () => ({ method: 'GET', originalUrl: '/api/cases?status=OPEN' }),
        getResponse: () => response,
      }),
    }) as unknown as ArgumentsHost;

  it('answers 500 "internal error" for anything unexpected, and logs it with the route', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const sent: unknown[] = [];
    const response = {
      headersSent: false,
      status: (code: number) => ({ json: (body: unknown) => sent.push(code, body) }),
      end: jest.fn(),
    };
    new HttpErrorFilter().catch(new Error('connection terminated: password=hunter2'), hostFor(response));
    expect(sent).toEqual([500, { error: 'INTERNAL', message: 'internal error' }]);
    expect(logged).toHaveBeenCalledWith(
      'HTTP GET /api/cases failed: connection terminated: password=hunter2',
      expect.any(String),
    );
    logged.mockRestore();
  });
});
