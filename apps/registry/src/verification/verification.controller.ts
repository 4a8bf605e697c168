import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { numberStatus, verificationOutcome, type registry } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { VerificationService } from './verification.service';

@Controller()
export class VerificationController implements Pick<registry.RegistryServiceController, 'verifyNumber'> {
  constructor(private readonly verifications: VerificationService) {}

  @GrpcMethod('RegistryService', 'VerifyNumber')
  @Roles(RoleKind.Police)
  @Audited<registry.VerifyNumberRequest>((request) => ({
    target: request.msisdn,
    caseId: request.caseId,
    detail: { outcome: request.outcome },
  }))
  async verifyNumber(
    request: registry.VerifyNumberRequest,
    metadata: Metadata,
  ): Promise<registry.VerifyNumberResponse> {
    const result = await this.verifications.verify(principalOf(metadata), {
      idempotencyKey: request.idempotencyKey,
      msisdn: request.msisdn,
      outcome: verificationOutcome.tryFromWire(request.outcome),
      caseId: request.caseId,
      note: request.note,
    });
    return { ...result, status: numberStatus.toWire(result.status) };
  }
}
