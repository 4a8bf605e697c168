import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { fromTimestamp, toTimestamp, type carrier } from '@app/contracts';
import { RoleKind, Roles } from '@app/grpc';
import { toWireDecision } from './decision.mapper';
import { DecisionsService } from './decisions.service';

@Controller()
export class DecisionsController implements Pick<carrier.CarrierServiceController, 'listDecisions' | 'listNotices'> {
  constructor(private readonly decisions: DecisionsService) {}

  @GrpcMethod('CarrierService', 'ListDecisions')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Analyst)
  async listDecisions(request: carrier.ListDecisionsRequest): Promise<carrier.ListDecisionsResponse> {
    const page = await this.decisions.decisions({
      msisdn: request.msisdn,
      includeShadow: !!request.includeShadow,
      since: fromTimestamp(request.since, 'since'),
      pageSize: request.page?.pageSize,
      pageToken: request.page?.pageToken,
    });
    return { decisions: page.items.map(toWireDecision), nextPageToken: page.nextPageToken };
  }

  @GrpcMethod('CarrierService', 'ListNotices')
  @Roles(RoleKind.Carrier)
  async listNotices(request: carrier.ListNoticesRequest): Promise<carrier.ListNoticesResponse> {
    const page = await this.decisions.notices({
      msisdn: request.msisdn,
      pageSize: request.page?.pageSize,
      pageToken: request.page?.pageToken,
    });
    return {
      notices: page.items.map((n) => ({
        id: n.id,
        msisdn: n.msisdn,
        decisionId: n.decisionId,
        at: toTimestamp(n.at),
        text: n.text,
        sent: n.sentAt !== null,
      })),
      nextPageToken: page.nextPageToken,
    };
  }
}
