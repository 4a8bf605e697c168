import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { admin } from '@app/contracts';
import { Audited } from '@app/audit';
import { RoleKind, Roles } from '@app/grpc';
import { auditLookup } from './lookup.audit';
import { toWireLookup } from './lookup.mapper';
import { LookupService } from './lookup.service';

@Controller()
export class LookupController implements Pick<admin.AdminServiceController, 'lookupNumber'> {
  constructor(private readonly lookups: LookupService) {}

  @GrpcMethod('AdminService', 'LookupNumber')
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Police)
  @Audited(auditLookup)
  async lookupNumber(request: admin.LookupNumberRequest): Promise<admin.LookupNumberResponse> {
    return toWireLookup(await this.lookups.lookup({ msisdn: request.msisdn, purpose: request.purpose }));
  }
}
