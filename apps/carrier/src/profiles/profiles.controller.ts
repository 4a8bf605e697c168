import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { declarationOutcome, usageProfile, type carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { ProfilesService } from './profiles.service';

@Controller()
export class ProfilesController implements Pick<carrier.CarrierServiceController, 'declareProfile'> {
  constructor(private readonly profiles: ProfilesService) {}

  @GrpcMethod('CarrierService', 'DeclareProfile')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.DeclareProfileRequest>((r) => ({
    target: r.msisdn,
    detail: { profile: r.profile, attestedBy: r.attestedBy, attestationReference: r.attestationReference },
  }))
  async declareProfile(
    request: carrier.DeclareProfileRequest,
    metadata: Metadata,
  ): Promise<carrier.DeclareProfileResponse> {
    const result = await this.profiles.declare(principalOf(metadata), {
      idempotencyKey: request.idempotencyKey,
      msisdn: request.msisdn,
      // UNSPECIFIED is refused: NONE withdraws an earlier declaration.
      profile: usageProfile.fromWire(request.profile, 'profile'),
      attestedBy: request.attestedBy,
      attestationReference: request.attestationReference,
    });
    return {
      msisdn: result.msisdn,
      profile: usageProfile.toWire(result.profile),
      replayed: result.replayed,
      outcome: declarationOutcome.toWire(result.outcome),
    };
  }
}
