import { Controller, Get, Query } from '@nestjs/common';
import type { admin } from '@app/contracts';
import { RoleKind, Roles } from '@app/grpc';
import { optionalInteger, optionalQuery, type QueryValues } from '../http/request-input';
import { protoJson, type Json } from '../http/proto-json';
import { toWireCase } from './case.mapper';
import { CasesService } from './cases.service';

@Controller('api')
export class CasesHttpController {
  constructor(private readonly cases: CasesService) {}

  @Get('cases')
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Police)
  async list(@Query() query: QueryValues): Promise<Json<admin.ListCasesResponse>> {
    const page = await this.cases.list({
      status: optionalQuery(query, 'status'),
      pageSize: optionalInteger(optionalQuery(query, 'pageSize'), 'pageSize', 1, 1000),
      pageToken: optionalQuery(query, 'pageToken'),
    });
    return protoJson({ cases: page.cases.map(toWireCase), nextPageToken: page.nextPageToken });
  }
}
