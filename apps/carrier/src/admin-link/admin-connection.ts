import { Metadata, type ClientDuplexStream } from '@grpc/grpc-js';
import type { admin } from '@app/contracts';
import { PeerConnection } from '@app/grpc';
import { carrierPeerProvider } from '../config/carrier-peers';

export type DirectiveStreamCall = ClientDuplexStream<admin.StreamDirectivesRequest, admin.StreamDirectivesResponse>;

/**
 * The carrier's one channel to the provincial administration (`ADMIN_ADDRESS`),
 * shared by the ADMIN outbox relay and the directive stream. Without
 * ADMIN_ADDRESS there is no channel and neither runs. Degraded without it (the
 * feed waits in the outbox, no directive arrives), never stopped.
 */
export class AdminConnection extends PeerConnection {
  static readonly provider = carrierPeerProvider(AdminConnection, 'admin', (spec) => new AdminConnection(spec));

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
