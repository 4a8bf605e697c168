import { Logger } from '@nestjs/common';
import { bootstrapGrpcApp } from '@app/grpc';
import { installServiceLogger } from '@app/observability';
import { CARRIER_GRPC } from './carrier.grpc';
import { CarrierModule } from './carrier.module';
import { carrierConfig, type CarrierConfig } from './config/carrier.config';

// Named before the configuration is read, so that a bad one is reported by the right service.
installServiceLogger(process.env.CARRIER_ID ? `carrier-${process.env.CARRIER_ID.toLowerCase()}` : 'carrier');
let config: CarrierConfig;
try {
  config = carrierConfig(process.env);
} catch (error) {
  new Logger('carrier').error((error as Error).message);
  process.exit(1);
}

void bootstrapGrpcApp(CarrierModule.forCarrier(config), {
  name: `carrier-${config.carrierId.toLowerCase()}`,
  defaultPort: config.defaultPort,
  defaultMetricsPort: config.defaultMetricsPort,
  ...CARRIER_GRPC,
});
