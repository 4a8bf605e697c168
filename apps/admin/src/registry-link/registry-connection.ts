import { Metadata, type ClientReadableStream } from '@grpc/grpc-js';
import { Inject, Injectable, Optional } from '@nestjs/common';
import type { registry } from '@app/contracts';
import { PeerConnection } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { ADMIN_CONFIG, type AdminConfig } from '../config/admin.config';

/** The longest pause between reconnects to the registry. */
export const REGISTRY_RETRY_MAX_MS = 5_000;

/** The administration's channel to the registry (`REGISTRY_ADDRESS`), as `admin:<province>`. */
@Injectable()
export class RegistryConnection extends PeerConnection {
  constructor(@Inject(ADMIN_CONFIG) config: AdminConfig, @Optional() health?: ServiceHealth) {
    super({
      service: 'fraud.registry.v1.RegistryService',
      protoFile: 'fraud/registry/v1/registry.proto',
      address: config.registryAddress,
      addressVariable: 'REGISTRY_ADDRESS',
      identity: { subject: `admin-${config.province}`, role: `admin:${config.province}` },
      tokenFile: { variable: 'REGISTRY_TOKEN_FILE', file: config.registryTokenFile },
      retryMaxMs: REGISTRY_RETRY_MAX_MS,
      // Degraded without it (no police verdicts reach the cases), never stopped.
      dependency: { name: 'registry', health },
    });
  }

  /** Every status change after `sinceVersion`, then live; the caller cancels it. */
  watchChanges(sinceVersion: number): ClientReadableStream<registry.WatchChangesResponse> {
    const client = this.channel() as unknown as {
      watchChanges(request: registry.WatchChangesRequest, metadata: Metadata): ClientReadableStream<registry.WatchChangesResponse>;
    };
    return this.trackedStream('WatchChanges', client.watchChanges({ sinceVersion }, new Metadata()));
  }
}
