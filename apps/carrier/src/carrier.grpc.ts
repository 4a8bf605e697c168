import type { GrpcServiceSpec } from '@app/grpc';

/** What a carrier serves over gRPC: health and reflection only until its own API lands. */
export const CARRIER_GRPC: GrpcServiceSpec = { protoFiles: [], packages: [], healthServices: [] };
