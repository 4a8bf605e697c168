// gRPC plumbing shared by the apps: server bootstrap (health, reflection, TLS),
// the error -> status filter, token auth and audit of refusals, and clients.
export * from './server/proto';
export * from './server/descriptor-image';
export * from './server/health';
export * from './server/server-config';
export * from './server/grpc-options';
export * from './server/call-observer';
export * from './server/bootstrap';
export * from './server/free-port';
export * from './errors/grpc-exception.filter';
export * from './errors/transport-exception.filter';
export * from './auth/roles';
export * from './auth/token';
export * from './auth/mint';
export * from './auth/keys';
export * from './auth/audit';
export * from './auth/auth.errors';
export * from './auth/auth.decorators';
export * from './auth/principal';
export * from './auth/rpc-action';
export * from './auth/auth.guard';
export * from './client/grpc-client';
export * from './client/client-credentials';
export * from './client/backoff';
export * from './client/service-token';
export * from './client/feed-follower';
export * from './client/peer-connection';
