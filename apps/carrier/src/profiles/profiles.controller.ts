import { Controller } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { declarationOutcome, usageProfile, type carrier } from '@app/contracts';
import { NumberCall } from '@app/audit';
import { principalOf, RoleKind } from '@app/grpc';
import { OnOwnerShard } from '../shard/owner-shard.interceptor';
import { ProfilesService } from './profiles.service';

@Controller()
export class ProfilesController implements Pick<carrier.CarrierServiceController, 'declareProfile'> {
  constructor(private readonly profiles: ProfilesService) {}

  @NumberCall<carrier.DeclareProfileRequest>('CarrierService', 'DeclareProfile', [RoleKind.Carrier], (r) => ({
    detail: { profile: r.profile, attestedBy: r.attestedBy, attestationReference: r.attestationReference },
  }))
  @OnOwnerShard('DeclareProfile')
  async declareProfile(
    request: carrier.DeclareProfileRequest,
    metadata: Metadata,
  ): Promise<carrier.DeclareProfileResponse> {
    // UNSPECIFIED is refused: NONE withdraws an earlier declaration.
    const profile = usageProfile.fromWire(request.profile, 'profile');
    const result = await this.profiles.declare(principalOf(metadata), { ...request, profile });
    return {
      msisdn: result.msisdn,
      profile: usageProfile.toWire(result.profile),
      replayed: result.replayed,
      outcome: declarationOutcome.toWire(result.outcome),
    };
  }
}
