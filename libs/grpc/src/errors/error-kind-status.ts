import { status as GrpcCode } from '@grpc/grpc-js';
import { ErrorKind } from '@app/domain';

/** What the caller is answered for an error of each kind: the gRPC status code, and the admin HTTP API's status. */
export interface KindStatus {
  grpc: GrpcCode;
  http: number;
}

/** The one table of error kind to status, on every transport. */
export const STATUS_OF_KIND: Readonly<Record<ErrorKind, KindStatus>> = {
  [ErrorKind.InvalidArgument]: { grpc: GrpcCode.INVALID_ARGUMENT, http: 400 },
  [ErrorKind.NotFound]: { grpc: GrpcCode.NOT_FOUND, http: 404 },
  [ErrorKind.AlreadyExists]: { grpc: GrpcCode.ALREADY_EXISTS, http: 409 },
  [ErrorKind.FailedPrecondition]: { grpc: GrpcCode.FAILED_PRECONDITION, http: 412 },
  [ErrorKind.PermissionDenied]: { grpc: GrpcCode.PERMISSION_DENIED, http: 403 },
  [ErrorKind.Unauthenticated]: { grpc: GrpcCode.UNAUTHENTICATED, http: 401 },
  [ErrorKind.ResourceExhausted]: { grpc: GrpcCode.RESOURCE_EXHAUSTED, http: 429 },
  [ErrorKind.Unavailable]: { grpc: GrpcCode.UNAVAILABLE, http: 503 },
};

function statusOfKind(kind: ErrorKind, transport: string): KindStatus {
  const status = Object.hasOwn(STATUS_OF_KIND, kind) ? STATUS_OF_KIND[kind] : undefined;
  if (!status) throw new Error(`no ${transport} status for error kind ${String(kind)}`);
  return status;
}

/** The gRPC status code of an error kind. */
export function grpcCodeOfKind(kind: ErrorKind): GrpcCode {
  return statusOfKind(kind, 'gRPC').grpc;
}

/** The HTTP status of an error kind. */
export function httpStatusOfKind(kind: ErrorKind): number {
  return statusOfKind(kind, 'HTTP').http;
}
