import { Logger } from '@nestjs/common';
import { bootstrapGrpcApp } from '@app/grpc';
import { installServiceLogger } from '@app/observability';
import { CARRIER_GRPC } from './carrier.grpc';
import { CarrierModule } from './carrier.module';
import { carrierConfig, type CarrierConfig } from './config/carrier.config';

// The process's environment is read here only: every provider reads it as injected (ENV).
const env = process.env;
// Named before the configuration is read, so that a bad one is reported by the right service.
installServiceLogger(env.CARRIER_ID ? `carrier-${env.CARRIER_ID.toLowerCase()}` : 'carrier', env);
let config: CarrierConfig;
try {
  config = carrierConfig(env);
} catch (error) {
  new Logger('carrier').error((error as Error).message);
  process.exit(1);
}

void bootstrapGrpcApp(CarrierModule.forCarrier(config, env), {
  name: `carrier-${config.carrierId.toLowerCase()}`,
  defaultPort: config.defaultPort,
  defaultMetricsPort: config.defaultMetricsPort,
  ...CARRIER_GRPC,
  env,
});
