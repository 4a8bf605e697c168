import { status as GrpcCode } from '@grpc/grpc-js';
import { ErrorKind } from '@app/domain';
import { grpcCodeOfKind, httpStatusOfKind, STATUS_OF_KIND } from './error-kind-status';

describe('STATUS_OF_KIND', () => {
  it('names every error kind, each with the gRPC code of the same name', () => {
    expect(Object.keys(STATUS_OF_KIND).sort()).toEqual(Object.values(ErrorKind).sort());
    for (const kind of Object.values(ErrorKind)) expect(GrpcCode[grpcCodeOfKind(kind)]).toBe(kind);
  });

  it('gives each kind its HTTP status', () => {
    expect(httpStatusOfKind(ErrorKind.NotFound)).toBe(404);
    expect(httpStatusOfKind(ErrorKind.Unavailable)).toBe(503);
  });

  it('refuses a kind it does not know, naming the transport', () => {
    expect(() => grpcCodeOfKind('TEAPOT' as ErrorKind)).toThrow('no gRPC status for error kind TEAPOT');
    expect(() => httpStatusOfKind('TEAPOT' as ErrorKind)).toThrow('no HTTP status for error kind TEAPOT');
    expect(() => httpStatusOfKind('toString' as ErrorKind)).toThrow('no HTTP status for error kind toString');
  });
});
