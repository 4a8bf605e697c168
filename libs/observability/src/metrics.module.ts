import { Global, Module, type DynamicModule } from '@nestjs/common';
import { Metrics } from './metrics';

/**
 * The service's Metrics for every feature module to register its own. The
 * bootstrap (libs/grpc) adds the gRPC server's and serves them on METRICS_PORT.
 */
@Global()
@Module({})
export class MetricsModule {
  static forService(service: string): DynamicModule {
    return { module: MetricsModule, providers: [{ provide: Metrics, useValue: new Metrics(service) }], exports: [Metrics] };
  }
}
