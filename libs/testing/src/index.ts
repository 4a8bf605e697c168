export * from './test-database';
export * from './free-port';
export * from './grpc-probes';
export * from './metrics-text';
export * from './tcp-proxy';
export * from './grpc-calls';
export * from './concurrency';
export * from './env';
