import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AuditModule } from '@app/audit';
import { ConfigModule, type Env } from '@app/config';
import type { Clock } from '@app/domain';
import { AUTH_OWN_PROVINCE, CALL_ADMISSION } from '@app/grpc';
import { MetricsModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { CasesModule } from './cases/cases.module';
import { CellsModule } from './cells/cells.module';
import { ADMIN_CONFIG, type AdminConfig } from './config/admin.config';
import { adminDatabase } from './database';
import { DirectivesModule } from './directives/directives.module';
import { FeedModule } from './feed/feed.module';
import { HttpApiModule } from './http/http.module';
import { LookupModule } from './lookup/lookup.module';
import { AdminMetricsModule } from './metrics/admin-metrics.module';
import { OversightModule } from './oversight/oversight.module';
import { ReportsModule } from './reports/reports.module';
import { OwnershipModule } from './ownership/ownership.module';
import { RegistryLinkModule } from './registry-link/registry-link.module';

/** The administration's configuration, for every feature module. */
@Global()
@Module({})
class AdminConfigModule {
  static of(config: AdminConfig): DynamicModule {
    return {
      module: AdminConfigModule,
      providers: [
        { provide: ADMIN_CONFIG, useValue: config },
        { provide: AUTH_OWN_PROVINCE, useValue: config.province },
      ],
      exports: [ADMIN_CONFIG, AUTH_OWN_PROVINCE],
    };
  }
}

@Module({})
export class AdminModule {
  /** The administration `config` describes (read from `env`), reading `env` and `clock` as the registry does. */
  static forProvince(config: AdminConfig, env: Env, clock?: Clock): DynamicModule {
    return {
      module: AdminModule,
      imports: [
        ConfigModule.forEnv(env, clock),
        AdminConfigModule.of(config),
        MetricsModule.forService('admin'),
        PersistenceModule.forService(adminDatabase),
        AdminMetricsModule,
        AuditModule,
        OwnershipModule,
        FeedModule,
        DirectivesModule,
        CellsModule,
        OversightModule,
        ReportsModule,
        CasesModule,
        LookupModule,
        RegistryLinkModule,
        HttpApiModule,
      ],
      providers: CALL_ADMISSION,
    };
  }
}
