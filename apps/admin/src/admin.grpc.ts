import type { GrpcServiceSpec } from '@app/grpc';

export const ADMIN_DEFAULT_PORT = 50052;

/** What the admin serves over gRPC: health and reflection only until its own API lands. */
export const ADMIN_GRPC: GrpcServiceSpec = { protoFiles: [], packages: [], healthServices: [] };
