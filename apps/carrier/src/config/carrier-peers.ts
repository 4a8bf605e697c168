import type { Abstract, FactoryProvider } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import type { PeerSpec } from '@app/grpc';
import { ServiceHealth } from '@app/observability';
import { CARRIER_CONFIG, type CarrierConfig } from './carrier.config';

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

/**
 * The Nest provider of one of this carrier's peer connections: `connect` builds it from the carrier's settings for
 * that peer (health reported when the service has a ServiceHealth).
 */
export function carrierPeerProvider<T>(
  token: Abstract<T>,
  peer: 'registry' | 'admin',
  connect: (spec: PeerSpec) => T,
): FactoryProvider<T> {
  return {
    provide: token,
    useFactory: (config: CarrierConfig, env: Env, health?: ServiceHealth) =>
      connect(carrierPeerSpec(peer, config, env, health)),
    inject: [CARRIER_CONFIG, ENV, { token: ServiceHealth, optional: true }],
  };
}
