import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import type { admin } from '@app/contracts';
import { PeerConnection, unary } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';

export type DirectiveStreamCall = ClientDuplexStream<admin.StreamDirectivesRequest, admin.StreamDirectivesResponse>;

/**
 * The carrier's one channel to the provincial administration (`ADMIN_ADDRESS`),
 * shared by the ADMIN outbox relay and the directive stream. Without
 * ADMIN_ADDRESS there is no channel and neither runs.
 */
@Injectable()
export class AdminConnection extends PeerConnection {
  constructor(
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
    @Inject(ENV) env: Env,
    @Optional() health?: ServiceHealth,
  ) {
    super({
      service: 'fraud.admin.v1.AdminService',
      protoFile: 'fraud/admin/v1/admin.proto',
      address: config.adminAddress,
      addressVariable: 'ADMIN_ADDRESS',
      identity: { subject: `carrier-${config.carrierId.toLowerCase()}`, role: `carrier:${config.carrierId}` },
      tokenFile: { variable: 'ADMIN_TOKEN_FILE', file: config.adminTokenFile },
      retryMaxMs: config.adminRetryMaxMs,
      env,
      // Degraded without it (the feed waits in the outbox, no directive arrives), never stopped.
      dependency: { name: 'admin', health },
    });
  }

  submitCarrierFeed(items: admin.FeedItem[], deadlineMs: number): Promise<admin.SubmitCarrierFeedResponse> {
    return this.tracked(
      'SubmitCarrierFeed',
      unary(this.channel(), 'submitCarrierFeed', { items } satisfies admin.SubmitCarrierFeedRequest, new Metadata(), {
        deadline: Date.now() + deadlineMs,
      }),
    );
  }

  /** This carrier's directives, unacknowledged ones first; each answered with an ack on the same stream. The caller cancels it. */
  streamDirectives(): DirectiveStreamCall {
    const client = this.channel() as unknown as { streamDirectives(metadata: Metadata): DirectiveStreamCall };
    return this.trackedStream('StreamDirectives', client.streamDirectives(new Metadata()));
  }
}
