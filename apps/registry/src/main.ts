import { bootstrapGrpcApp } from '@app/grpc';
import { installServiceLogger } from '@app/observability';
import { REGISTRY_DEFAULT_METRICS_PORT, REGISTRY_DEFAULT_PORT, REGISTRY_GRPC } from './registry.grpc';
import { RegistryModule } from './registry.module';

// The process's environment is read here only: every provider reads it as injected (ENV).
const env = process.env;
installServiceLogger('registry', env);
void bootstrapGrpcApp(RegistryModule.forEnv(env), {
  name: 'registry',
  defaultPort: REGISTRY_DEFAULT_PORT,
  defaultMetricsPort: REGISTRY_DEFAULT_METRICS_PORT,
  ...REGISTRY_GRPC,
  env,
});
