import { Global, Module } from '@nestjs/common';
import { CarrierMetrics } from './carrier-metrics';

/** The carrier's metrics, for ingest, decisions and the links to the registry and the administration. */
@Global()
@Module({ providers: [CarrierMetrics], exports: [CarrierMetrics] })
export class CarrierMetricsModule {}
