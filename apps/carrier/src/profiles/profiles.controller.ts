import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { fromWireDeclaredProfile, toWireDeclarationOutcome, toWireProfile } from './profiles.mapper';
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
  async declareProfile(request: carrier.DeclareProfileRequest, metadata: Metadata): Promise<carrier.DeclareProfileResponse> {
    const result = await this.profiles.declare(principalOf(metadata), {
      idempotencyKey: request.idempotencyKey,
      msisdn: request.msisdn,
      profile: fromWireDeclaredProfile(request.profile),
      attestedBy: request.attestedBy,
      attestationReference: request.attestationReference,
    });
    return { msisdn: result.msisdn, profile: toWireProfile(result.profile), replayed: result.replayed, outcome: toWireDeclarationOutcome(result.outcome) };
  }
}
