import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import type { admin } from '@app/contracts';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { FeedService } from './feed.service';

@Controller()
export class FeedController implements Pick<admin.AdminServiceController, 'submitCarrierFeed'> {
  constructor(private readonly feed: FeedService) {}

  /** A carrier submits in its own name only: the carrier is the token's, never the request's. */
  @GrpcMethod('AdminService', 'SubmitCarrierFeed')
  @Roles(RoleKind.Carrier)
  submitCarrierFeed(
    request: admin.SubmitCarrierFeedRequest,
    metadata: Metadata,
  ): Promise<admin.SubmitCarrierFeedResponse> {
    return this.feed.submit(principalOf(metadata), request.items);
  }
}
