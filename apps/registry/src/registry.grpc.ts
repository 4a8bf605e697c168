import type { GrpcServiceSpec } from '@app/grpc';

export const REGISTRY_DEFAULT_PORT = 50051;
/** METRICS_PORT when unset: GET /metrics. */
export const REGISTRY_DEFAULT_METRICS_PORT = 9461;

/** What the registry serves over gRPC (also used by tests to boot it). */
export const REGISTRY_GRPC: GrpcServiceSpec = {
  protoFiles: ['fraud/registry/v1/registry.proto'],
  packages: ['fraud.registry.v1'],
  healthServices: ['fraud.registry.v1.RegistryService'],
};
