import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { caseStatus, type admin } from '@app/contracts';
import { RoleKind, Roles } from '@app/grpc';
import { toWireCase } from './case.mapper';
import { CasesService } from './cases.service';

@Controller()
export class CasesController implements Pick<admin.AdminServiceController, 'listCases'> {
  constructor(private readonly cases: CasesService) {}

  @GrpcMethod('AdminService', 'ListCases')
  @Roles(RoleKind.Admin, RoleKind.Analyst, RoleKind.Police)
  async listCases(request: admin.ListCasesRequest): Promise<admin.ListCasesResponse> {
    // UNSPECIFIED: every status; one this build does not know is refused by the service.
    const page = await this.cases.list({
      status: caseStatus.name(request.status),
      pageSize: request.page?.pageSize,
      pageToken: request.page?.pageToken,
    });
    return { cases: page.cases.map(toWireCase), nextPageToken: page.nextPageToken };
  }
}
