import { Logger } from '@nestjs/common';
import { bootstrapGrpcApp } from '@app/grpc';
import { ADMIN_DEFAULT_PORT, ADMIN_GRPC } from './admin.grpc';
import { AdminModule } from './admin.module';
import { adminConfig, type AdminConfig } from './config/admin.config';

let config: AdminConfig;
try {
  config = adminConfig(process.env);
} catch (error) {
  new Logger('admin').error((error as Error).message);
  process.exit(1);
}

void bootstrapGrpcApp(AdminModule.forProvince(config), { name: 'admin', defaultPort: ADMIN_DEFAULT_PORT, ...ADMIN_GRPC });
