import { bootstrapGrpcApp } from '@app/grpc';
import { REGISTRY_GRPC } from './registry.grpc';
import { RegistryModule } from './registry.module';

void bootstrapGrpcApp(RegistryModule, { name: 'registry', defaultPort: 50051, ...REGISTRY_GRPC });
