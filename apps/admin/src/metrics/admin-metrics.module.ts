import { Global, Module } from '@nestjs/common';
import { AdminMetrics } from './admin-metrics';

/** The administration's metrics, for the feed and the directives. */
@Global()
@Module({ providers: [AdminMetrics], exports: [AdminMetrics] })
export class AdminMetricsModule {}
