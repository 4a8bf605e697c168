import { applyDecorators } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { Roles, type RoleKind } from '@app/grpc';
import { Audited, type AuditSubject } from './audited.decorator';

/**
 * A gRPC method about one number: `rpc` of `service`, open to `roles`, every
 * call audited with the request's msisdn as its target and what `describe`
 * reads besides (the case, the detail).
 */
export function NumberCall<Req extends { msisdn?: string }>(
  service: string,
  rpc: string,
  roles: readonly RoleKind[],
  describe: (request: Req) => Omit<AuditSubject, 'target'>,
): MethodDecorator {
  return applyDecorators(
    GrpcMethod(service, rpc),
    Roles(...roles),
    Audited<Req>((request) => ({ target: request.msisdn, ...describe(request) })),
  );
}
