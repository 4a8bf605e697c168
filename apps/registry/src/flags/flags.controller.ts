import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { numberStatus, type registry } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { fromWireFlags } from '../contract.mapper';
import { FlagsService } from './flags.service';

@Controller()
export class FlagsController implements Pick<registry.RegistryServiceController, 'submitFlags'> {
  constructor(private readonly flags: FlagsService) {}

  @GrpcMethod('RegistryService', 'SubmitFlags')
  @Roles(RoleKind.Carrier, RoleKind.Admin)
  @Audited<registry.SubmitFlagsRequest>((request) => ({ detail: { flags: request.flags?.length ?? 0 } }))
  async submitFlags(request: registry.SubmitFlagsRequest, metadata: Metadata): Promise<registry.SubmitFlagsResponse> {
    const results = await this.flags.submit(principalOf(metadata), fromWireFlags(request));
    return { results: results.map((r) => ({ ...r, status: numberStatus.toWire(r.status) })) };
  }
}
