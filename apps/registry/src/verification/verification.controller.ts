import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { numberStatus, verificationOutcome, type registry } from '@app/contracts';
import { NumberCall } from '@app/audit';
import { principalOf, RoleKind } from '@app/grpc';
import { VerificationService } from './verification.service';

@Controller()
export class VerificationController implements Pick<registry.RegistryServiceController, 'verifyNumber'> {
  constructor(private readonly verifications: VerificationService) {}

  @NumberCall<registry.VerifyNumberRequest>('RegistryService', 'VerifyNumber', [RoleKind.Police], (request) => ({
    caseId: request.caseId,
    detail: { outcome: request.outcome },
  }))
  async verifyNumber(
    request: registry.VerifyNumberRequest,
    metadata: Metadata,
  ): Promise<registry.VerifyNumberResponse> {
    const outcome = verificationOutcome.tryFromWire(request.outcome);
    const result = await this.verifications.verify(principalOf(metadata), { ...request, outcome });
    return { ...result, status: numberStatus.toWire(result.status) };
  }
}
