import { bootstrapGrpcApp } from '@app/grpc';
import { installServiceLogger } from '@app/observability';
import { REGISTRY_DEFAULT_METRICS_PORT, REGISTRY_DEFAULT_PORT, REGISTRY_GRPC } from './registry.grpc';
import { RegistryModule } from './registry.module';

installServiceLogger('registry');
void bootstrapGrpcApp(RegistryModule, { name: 'registry', defaultPort: REGISTRY_DEFAULT_PORT, defaultMetricsPort: REGISTRY_DEFAULT_METRICS_PORT, ...REGISTRY_GRPC });
