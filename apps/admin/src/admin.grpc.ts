import type { GrpcServiceSpec } from '@app/grpc';

export const ADMIN_DEFAULT_PORT = 50052;
/** The analysts' dashboard and its JSON API. */
export const ADMIN_DEFAULT_HTTP_PORT = 8080;
/** METRICS_PORT when unset: GET /metrics, apart from the dashboard's port. */
export const ADMIN_DEFAULT_METRICS_PORT = 9462;

/** What the admin serves over gRPC (also used by tests to boot it). */
export const ADMIN_GRPC: GrpcServiceSpec = {
  protoFiles: ['fraud/admin/v1/admin.proto'],
  packages: ['fraud.admin.v1'],
  healthServices: ['fraud.admin.v1.AdminService'],
};
