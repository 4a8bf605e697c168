import type { Env } from '@app/config';
import type { PeerSpec } from '@app/grpc';
import type { ServiceHealth } from '@app/observability';
import type { CarrierConfig } from './carrier.config';

/** How this carrier calls a peer: as `carrier-<id>` with the role `carrier:<ID>`, with the peer's own settings. */
export function carrierPeerSpec(
  peer: 'registry' | 'admin',
  config: CarrierConfig,
  env: Env,
  health: ServiceHealth | undefined,
): PeerSpec {
  const settings =
    peer === 'registry'
      ? { address: config.registryAddress, tokenFile: config.registryTokenFile, retryMaxMs: config.registryRetryMaxMs }
      : { address: config.adminAddress, tokenFile: config.adminTokenFile, retryMaxMs: config.adminRetryMaxMs };
  const identity = { subject: `carrier-${config.carrierId.toLowerCase()}`, role: `carrier:${config.carrierId}` };
  return { peer, ...settings, identity, env, health };
}
