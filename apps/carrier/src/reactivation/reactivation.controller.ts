import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { action, appealOutcome, reactivationOutcome, type carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { AppealService } from './appeal.service';
import { redactNationalIds } from './national-id';
import { ReactivationService } from './reactivation.service';

@Controller()
export class ReactivationController implements Pick<carrier.CarrierServiceController, 'reactivate' | 'resolveAppeal'> {
  constructor(
    private readonly reactivations: ReactivationService,
    private readonly appeals: AppealService,
  ) {}

  /** Audited without the national ID: the log keeps the ID check's reference, anything ID-shaped in it blanked. */
  @GrpcMethod('CarrierService', 'Reactivate')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.ReactivateRequest>((r) => ({
    target: r.msisdn,
    detail: { verificationReference: redactNationalIds(r.verificationReference ?? ''), idVerified: r.idVerified },
  }))
  async reactivate(request: carrier.ReactivateRequest, metadata: Metadata): Promise<carrier.ReactivateResponse> {
    const result = await this.reactivations.reactivate(principalOf(metadata), {
      idempotencyKey: request.idempotencyKey,
      msisdn: request.msisdn,
      verificationReference: request.verificationReference,
      nationalId: request.nationalId,
      idVerified: request.idVerified,
    });
    return {
      msisdn: result.msisdn,
      outcome: reactivationOutcome.toWire(result.outcome),
      state: action.toWire(result.state),
      replayed: result.replayed,
    };
  }

  @GrpcMethod('CarrierService', 'ResolveAppeal')
  @Roles(RoleKind.Carrier, RoleKind.Admin)
  @Audited<carrier.ResolveAppealRequest>((r) => ({
    target: r.msisdn,
    detail: { upheld: r.upheld, reference: r.reference },
  }))
  async resolveAppeal(
    request: carrier.ResolveAppealRequest,
    metadata: Metadata,
  ): Promise<carrier.ResolveAppealResponse> {
    const result = await this.appeals.resolve(principalOf(metadata), {
      idempotencyKey: request.idempotencyKey,
      msisdn: request.msisdn,
      upheld: request.upheld,
      reference: request.reference,
      note: request.note,
    });
    return {
      msisdn: result.msisdn,
      state: action.toWire(result.state),
      replayed: result.replayed,
      outcome: appealOutcome.toWire(result.outcome),
    };
  }
}
