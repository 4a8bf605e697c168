import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { admin } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { OwnershipService } from './ownership.service';

@Controller()
export class OwnershipController implements Pick<admin.AdminServiceController, 'getOwner' | 'setPortedNumber'> {
  constructor(private readonly ownership: OwnershipService) {}

  /** Any authenticated role. */
  @GrpcMethod('AdminService', 'GetOwner')
  getOwner(request: admin.GetOwnerRequest): Promise<admin.GetOwnerResponse> {
    return this.ownership.getOwner(request.msisdn);
  }

  @GrpcMethod('AdminService', 'SetPortedNumber')
  @Roles(RoleKind.Admin)
  @Audited<admin.SetPortedNumberRequest>((request) => ({
    target: request.msisdn,
    detail: { carrier: request.carrier, idempotencyKey: request.idempotencyKey },
  }))
  async setPortedNumber(
    request: admin.SetPortedNumberRequest,
    metadata: Metadata,
  ): Promise<admin.SetPortedNumberResponse> {
    return this.ownership.setPorted(principalOf(metadata), request);
  }
}
