import type { registry } from '@app/contracts';
import { RegistryPeerConnection } from '@app/grpc';
import { carrierPeerProvider } from '../config/carrier-peers';

/**
 * The carrier's one channel to the registry (`REGISTRY_ADDRESS`), shared by the
 * outbox relay and the change-feed follower. Without REGISTRY_ADDRESS there is
 * no channel and neither runs. Degraded without it (no flags leave, no registry
 * copy kept), never stopped: ingest goes on.
 */
export class RegistryConnection extends RegistryPeerConnection {
  static readonly provider = carrierPeerProvider(
    RegistryConnection,
    'registry',
    (spec) => new RegistryConnection(spec),
  );

  submitFlags(flags: registry.Flag[], deadlineMs: number): Promise<registry.SubmitFlagsResponse> {
    return this.trackedUnary('SubmitFlags', { flags } satisfies registry.SubmitFlagsRequest, deadlineMs);
  }
}
