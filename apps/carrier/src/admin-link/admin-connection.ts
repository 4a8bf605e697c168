import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import type { admin } from '@app/contracts';
import { PeerConnection } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { carrierPeerSpec } from '../config/carrier-peers';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';

export type DirectiveStreamCall = ClientDuplexStream<admin.StreamDirectivesRequest, admin.StreamDirectivesResponse>;

/**
 * The carrier's one channel to the provincial administration (`ADMIN_ADDRESS`),
 * shared by the ADMIN outbox relay and the directive stream. Without
 * ADMIN_ADDRESS there is no channel and neither runs. Degraded without it (the
 * feed waits in the outbox, no directive arrives), never stopped.
 */
@Injectable()
export class AdminConnection extends PeerConnection {
  constructor(
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
    @Inject(ENV) env: Env,
    @Optional() health?: ServiceHealth,
  ) {
    super(carrierPeerSpec('admin', config, env, health));
  }

  submitCarrierFeed(items: admin.FeedItem[], deadlineMs: number): Promise<admin.SubmitCarrierFeedResponse> {
    return this.trackedUnary('SubmitCarrierFeed', { items } satisfies admin.SubmitCarrierFeedRequest, deadlineMs);
  }

  /**
   * This carrier's directives, unacknowledged ones first; each answered with an
   * ack on the same stream. The caller cancels it.
   */
  streamDirectives(): DirectiveStreamCall {
    const client = this.channel() as unknown as { streamDirectives(metadata: Metadata): DirectiveStreamCall };
    return this.trackedStream('StreamDirectives', client.streamDirectives(new Metadata()));
  }
}
