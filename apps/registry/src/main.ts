import { bootstrapGrpcApp } from '@app/grpc';
import { REGISTRY_DEFAULT_PORT, REGISTRY_GRPC } from './registry.grpc';
import { RegistryModule } from './registry.module';

void bootstrapGrpcApp(RegistryModule, { name: 'registry', defaultPort: REGISTRY_DEFAULT_PORT, ...REGISTRY_GRPC });
