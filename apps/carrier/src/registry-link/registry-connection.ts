import { Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import type { registry } from '@app/contracts';
import { PeerConnection, unary } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';

/**
 * The carrier's one channel to the registry (`REGISTRY_ADDRESS`), shared by the
 * outbox relay and the change-feed follower. Without REGISTRY_ADDRESS there is
 * no channel and neither runs.
 */
@Injectable()
export class RegistryConnection extends PeerConnection {
  constructor(
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
    @Inject(ENV) env: Env,
    @Optional() health?: ServiceHealth,
  ) {
    super({
      service: 'fraud.registry.v1.RegistryService',
      protoFile: 'fraud/registry/v1/registry.proto',
      address: config.registryAddress,
      addressVariable: 'REGISTRY_ADDRESS',
      identity: { subject: `carrier-${config.carrierId.toLowerCase()}`, role: `carrier:${config.carrierId}` },
      tokenFile: { variable: 'REGISTRY_TOKEN_FILE', file: config.registryTokenFile },
      retryMaxMs: config.registryRetryMaxMs,
      env,
      // Degraded without it (no flags leave, no registry copy kept), never stopped: ingest goes on.
      dependency: { name: 'registry', health },
    });
  }

  submitFlags(flags: registry.Flag[], deadlineMs: number): Promise<registry.SubmitFlagsResponse> {
    return this.tracked(
      'SubmitFlags',
      unary(this.channel(), 'submitFlags', { flags } satisfies registry.SubmitFlagsRequest, new Metadata(), {
        deadline: Date.now() + deadlineMs,
      }),
    );
  }

  /** Every status change after `sinceVersion`, then live; the caller cancels it. */
  watchChanges(sinceVersion: number): ClientReadableStream<registry.WatchChangesResponse> {
    const client = this.channel() as unknown as {
      watchChanges(
        request: registry.WatchChangesRequest,
        metadata: Metadata,
      ): ClientReadableStream<registry.WatchChangesResponse>;
    };
    return this.trackedStream('WatchChanges', client.watchChanges({ sinceVersion }, new Metadata()));
  }
}
