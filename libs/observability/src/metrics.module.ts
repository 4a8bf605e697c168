import { Global, Module, type DynamicModule } from '@nestjs/common';
import { recordBuildInfo } from './build-info';
import { Metrics } from './metrics';
import { ServiceHealth } from './service-health';

/**
 * The service's Metrics (with fraud_build_info) for every feature module to register its own, and its
 * ServiceHealth for whatever knows a dependency's state to report it. The
 * bootstrap (libs/grpc) adds the gRPC server's metrics, serves them on
 * METRICS_PORT with GET /health, and makes grpc.health.v1 follow the health.
 */
@Global()
@Module({})
export class MetricsModule {
  static forService(service: string): DynamicModule {
    const metrics = new Metrics(service);
    recordBuildInfo(metrics);
    return {
      module: MetricsModule,
      providers: [
        { provide: Metrics, useValue: metrics },
        { provide: ServiceHealth, useValue: new ServiceHealth(metrics) },
      ],
      exports: [Metrics, ServiceHealth],
    };
  }
}
