import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { action, reviewOutcome, reviewState, type carrier } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { redactNationalIds } from '../reactivation/national-id';
import { toWireReviewTask } from './review.mapper';
import { ShardForwarder } from '../shard/shard-forwarder';
import { ReviewsService } from './reviews.service';

/** Audit columns are bounded: the case names the task (its id is at most 19 digits when valid). */
const AUDIT_CASE_MAX = 64;

@Controller()
export class ReviewsController implements Pick<carrier.CarrierServiceController, 'listReviews' | 'decideReview'> {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly forwarder: ShardForwarder,
  ) {}

  @GrpcMethod('CarrierService', 'ListReviews')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.ListReviewsRequest>((request) => ({ detail: { state: reviewState.name(request.state) ?? null } }))
  async listReviews(request: carrier.ListReviewsRequest): Promise<carrier.ListReviewsResponse> {
    const page = await this.reviews.list({
      state: reviewState.tryFromWire(request.state),
      pageSize: request.page?.pageSize,
      pageToken: request.page?.pageToken,
    });
    return { reviews: page.items.map(toWireReviewTask), nextPageToken: page.nextPageToken };
  }

  /** Audited with the task, the outcome and the reason (anything shaped like a national ID blanked), refusals too. */
  @GrpcMethod('CarrierService', 'DecideReview')
  @Roles(RoleKind.Carrier)
  @Audited<carrier.DecideReviewRequest>((request) => ({
    caseId: `review-task:${request.taskId ?? ''}`.slice(0, AUDIT_CASE_MAX),
    detail: {
      outcome: reviewOutcome.name(request.outcome) ?? null,
      why: redactNationalIds(request.why ?? ''),
      requestId: request.requestId ?? '',
    },
  }))
  async decideReview(request: carrier.DecideReviewRequest, metadata: Metadata): Promise<carrier.DecideReviewResponse> {
    const owner = await this.reviews.elsewhere(request.taskId);
    if (owner !== undefined) return this.forwarder.unary(owner, 'DecideReview', request, metadata);
    const decided = await this.reviews.decide(principalOf(metadata), {
      taskId: request.taskId,
      outcome: reviewOutcome.tryFromWire(request.outcome),
      why: request.why,
      requestId: request.requestId,
    });
    return { task: toWireReviewTask(decided.task), state: action.toWire(decided.state), replayed: decided.replayed };
  }
}
