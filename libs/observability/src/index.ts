// Observability shared by the services: structured logs with request ids, and Prometheus metrics.
export * from './request-context';
export * from './service-logger';
export * from './metrics';
export * from './build-info';
export * from './http-metrics';
export * from './metrics-server';
export * from './metrics.module';
export * from './service-health';
