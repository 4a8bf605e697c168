import { Controller, Get, Param, Query } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { Audited } from '@app/audit';
import { RoleKind, Roles } from '@app/grpc';
import { optionalQuery, type QueryValues } from '../http/request-input';
import { protoJson, type Json } from '../http/proto-json';
import { auditLookup } from './lookup.audit';
import { toWireLookup } from './lookup.mapper';
import { LookupService } from './lookup.service';

@Controller('api')
export class LookupHttpController {
  constructor(private readonly lookups: LookupService) {}

  @Get('numbers/:msisdn')
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Police)
  @Audited(auditLookup)
  async lookup(
    @Param('msisdn') msisdn: string,
    @Query() query: QueryValues,
  ): Promise<Json<admin.LookupNumberResponse>> {
    const found = await this.lookups.lookup({ msisdn, purpose: optionalQuery(query, 'purpose') });
    return protoJson(toWireLookup(found));
  }
}
