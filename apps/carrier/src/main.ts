import { Logger } from '@nestjs/common';
import { bootstrapGrpcApp } from '@app/grpc';
import { CARRIER_GRPC } from './carrier.grpc';
import { CarrierModule } from './carrier.module';
import { carrierConfig, type CarrierConfig } from './config/carrier.config';

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
  ...CARRIER_GRPC,
});
