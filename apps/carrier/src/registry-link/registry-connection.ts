import { Inject, Injectable, Optional } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import type { registry } from '@app/contracts';
import { RegistryPeerConnection } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { carrierPeerSpec } from '../config/carrier-peers';
import { CARRIER_CONFIG, type CarrierConfig } from '../config/carrier.config';

/**
 * The carrier's one channel to the registry (`REGISTRY_ADDRESS`), shared by the
 * outbox relay and the change-feed follower. Without REGISTRY_ADDRESS there is
 * no channel and neither runs. Degraded without it (no flags leave, no registry
 * copy kept), never stopped: ingest goes on.
 */
@Injectable()
export class RegistryConnection extends RegistryPeerConnection {
  constructor(
    @Inject(CARRIER_CONFIG) config: CarrierConfig,
    @Inject(ENV) env: Env,
    @Optional() health?: ServiceHealth,
  ) {
    super(carrierPeerSpec('registry', config, env, health));
  }

  submitFlags(flags: registry.Flag[], deadlineMs: number): Promise<registry.SubmitFlagsResponse> {
    return this.trackedUnary('SubmitFlags', { flags } satisfies registry.SubmitFlagsRequest, deadlineMs);
  }
}
