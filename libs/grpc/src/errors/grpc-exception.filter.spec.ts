import { status as GrpcCode } from '@grpc/grpc-js';
import {
  BadRequestException,
  InternalServerErrorException,
  Logger,
  NotFoundException,
  type ArgumentsHost,
} from '@nestjs/common';
import { GrpcNotFoundException, RpcException } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { DomainError, ErrorKind, ValidationError, ValidationErrorCode } from '@app/domain';
import { GrpcExceptionFilter, grpcCodeOfKind, GrpcStatusError, INTERNAL_ERROR_DETAILS } from './grpc-exception.filter';

class TestError extends DomainError {
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

describe(GrpcExceptionFilter.name, () => {
  const filter = new GrpcExceptionFilter();
  const host = {
    getArgs: () => [{}, {}, { getPath: () => '/fraud.registry.v1.RegistryService/CheckNumbers' }],
  } as unknown as ArgumentsHost;
  let logged: jest.SpyInstance;
  beforeEach(() => (logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined)));
  afterEach(() => logged.mockRestore());

  const statusOf = async (exception: unknown): Promise<GrpcStatusError> => {
    try {
      await firstValueFrom(filter.catch(exception, host));
    } catch (error) {
      return error as GrpcStatusError;
    }
    throw new Error('the filter did not fail the call');
  };

  it.each([
    [ErrorKind.InvalidArgument, GrpcCode.INVALID_ARGUMENT],
    [ErrorKind.NotFound, GrpcCode.NOT_FOUND],
    [ErrorKind.AlreadyExists, GrpcCode.ALREADY_EXISTS],
    [ErrorKind.FailedPrecondition, GrpcCode.FAILED_PRECONDITION],
    [ErrorKind.PermissionDenied, GrpcCode.PERMISSION_DENIED],
    [ErrorKind.Unauthenticated, GrpcCode.UNAUTHENTICATED],
    [ErrorKind.ResourceExhausted, GrpcCode.RESOURCE_EXHAUSTED],
    [ErrorKind.Unavailable, GrpcCode.UNAVAILABLE],
  ])('maps %s to gRPC %s with the message as details', async (kind, code) => {
    expect(grpcCodeOfKind(kind)).toBe(code);
    const status = await statusOf(new TestError(kind, 'what went wrong'));
    expect(status).toMatchObject({ code, details: 'what went wrong' });
    expect(logged).not.toHaveBeenCalled();
  });

  it('covers every ErrorKind', () => {
    for (const kind of Object.values(ErrorKind)) expect(GrpcCode[grpcCodeOfKind(kind)]).toBe(kind);
  });

  it('keeps the field in the details of a validation error', async () => {
    const status = await statusOf(
      new ValidationError(ValidationErrorCode.Malformed, 'msisdns[3]', 'not a phone number'),
    );
    expect(status).toMatchObject({ code: GrpcCode.INVALID_ARGUMENT, details: 'msisdns[3]: not a phone number' });
  });

  it('hides anything else behind INTERNAL "internal error" and logs it with its stack', async () => {
    const bug = new TypeError('Cannot read properties of undefined (reading "rows") at /srv/app/secret.ts');
    const status = await statusOf(bug);
    expect(status).toMatchObject({ code: GrpcCode.INTERNAL, details: INTERNAL_ERROR_DETAILS });
    expect(status.message).toBe(INTERNAL_ERROR_DETAILS);
    expect(logged).toHaveBeenCalledWith(
      expect.stringContaining('fraud.registry.v1.RegistryService/CheckNumbers failed: Cannot read properties'),
      bug.stack,
    );

    expect(await statusOf('a string')).toMatchObject({ code: GrpcCode.INTERNAL, details: INTERNAL_ERROR_DETAILS });
    expect(await statusOf(new InternalServerErrorException('db password is hunter2'))).toMatchObject({
      code: GrpcCode.INTERNAL,
      details: INTERNAL_ERROR_DETAILS,
    });
    expect(await statusOf(new RpcException('rpc exception without a code'))).toMatchObject({
      code: GrpcCode.INTERNAL,
      details: INTERNAL_ERROR_DETAILS,
    });
  });

  it("maps Nest's own exceptions sensibly", async () => {
    expect(await statusOf(new RpcException('Forbidden resource'))).toMatchObject({ code: GrpcCode.PERMISSION_DENIED });
    expect(await statusOf(new RpcException({ code: GrpcCode.NOT_FOUND, message: 'no such case' }))).toMatchObject({
      code: GrpcCode.NOT_FOUND,
      details: 'no such case',
    });
    expect(await statusOf(new GrpcNotFoundException('no such number'))).toMatchObject({
      code: GrpcCode.NOT_FOUND,
      details: 'no such number',
    });
    expect(
      await statusOf(new BadRequestException(['msisdn must be a string', 'purpose should not be empty'])),
    ).toMatchObject({
      code: GrpcCode.INVALID_ARGUMENT,
      details: 'msisdn must be a string; purpose should not be empty',
    });
    expect(await statusOf(new NotFoundException('gone'))).toMatchObject({ code: GrpcCode.NOT_FOUND, details: 'gone' });
    expect(logged).not.toHaveBeenCalled();
  });
});
