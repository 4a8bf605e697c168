import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { admin } from '@app/contracts';
import { NumberCall } from '@app/audit';
import { principalOf, RoleKind } from '@app/grpc';
import { OwnershipService } from './ownership.service';

@Controller()
export class OwnershipController implements Pick<admin.AdminServiceController, 'getOwner' | 'setPortedNumber'> {
  constructor(private readonly ownership: OwnershipService) {}

  /** Any authenticated role. */
  @GrpcMethod('AdminService', 'GetOwner')
  getOwner(request: admin.GetOwnerRequest): Promise<admin.GetOwnerResponse> {
    return this.ownership.getOwner(request.msisdn);
  }

  @NumberCall<admin.SetPortedNumberRequest>('AdminService', 'SetPortedNumber', [RoleKind.Admin], (request) => ({
    detail: { carrier: request.carrier, idempotencyKey: request.idempotencyKey },
  }))
  async setPortedNumber(
    request: admin.SetPortedNumberRequest,
    metadata: Metadata,
  ): Promise<admin.SetPortedNumberResponse> {
    return this.ownership.setPorted(principalOf(metadata), request);
  }
}
