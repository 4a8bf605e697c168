import { Logger } from '@nestjs/common';
import { bootstrapHybridApp } from '@app/grpc';
import { installServiceLogger } from '@app/observability';
import { ADMIN_DEFAULT_METRICS_PORT, ADMIN_DEFAULT_PORT, ADMIN_GRPC } from './admin.grpc';
import { AdminModule } from './admin.module';
import { adminConfig, type AdminConfig } from './config/admin.config';
import { configureAdminHttp } from './http/admin-http';
import { HttpErrorFilter } from './http/http-error.filter';

// The process's environment is read here only: every provider reads it as injected (ENV).
const env = process.env;
installServiceLogger('admin', env);
let config: AdminConfig;
try {
  config = adminConfig(env);
} catch (error) {
  new Logger('admin').error((error as Error).message);
  process.exit(1);
}

// gRPC for the carriers and tools, HTTP (ADMIN_HTTP_HOST:ADMIN_HTTP_PORT) for the dashboard and its JSON API.
void bootstrapHybridApp(AdminModule.forProvince(config, env), {
  name: 'admin',
  defaultPort: ADMIN_DEFAULT_PORT,
  defaultMetricsPort: ADMIN_DEFAULT_METRICS_PORT,
  ...ADMIN_GRPC,
  env,
  http: {
    host: config.httpHost,
    port: config.httpPort,
    errorFilter: new HttpErrorFilter(),
    configure: configureAdminHttp,
  },
});
