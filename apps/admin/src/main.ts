import { bootstrapGrpcApp } from '@app/grpc';
import { ADMIN_DEFAULT_PORT, ADMIN_GRPC } from './admin.grpc';
import { AdminModule } from './admin.module';

void bootstrapGrpcApp(AdminModule, { name: 'admin', defaultPort: ADMIN_DEFAULT_PORT, ...ADMIN_GRPC });
