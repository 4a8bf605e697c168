import type { GrpcServiceSpec } from '@app/grpc';
import { CheckNumbersV2Rpc, REGISTRY_V2_PROTO } from './numbers/numbers-v2.rpc';

export const REGISTRY_DEFAULT_PORT = 50051;
/** METRICS_PORT when unset: GET /metrics. */
export const REGISTRY_DEFAULT_METRICS_PORT = 9461;

/**
 * What the registry serves over gRPC (also used by tests to boot it): v1, and
 * beside it v2's CheckNumbers (a plain handler). Clients of the harness call v1.
 */
export const REGISTRY_GRPC: GrpcServiceSpec = {
  protoFiles: ['fraud/registry/v1/registry.proto', REGISTRY_V2_PROTO],
  packages: ['fraud.registry.v1', 'fraud.registry.v2'],
  healthServices: ['fraud.registry.v1.RegistryService', 'fraud.registry.v2.RegistryService'],
  plainRpcs: [CheckNumbersV2Rpc],
};
