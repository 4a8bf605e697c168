import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { ClockModule } from '@app/config';
import { AuthGuard } from '@app/grpc';
import { PersistenceModule } from '@app/persistence';
import { ADMIN_CONFIG, type AdminConfig } from './config/admin.config';
import { adminDatabase } from './database';

/** The administration's configuration, for every feature module. */
@Global()
@Module({})
class AdminConfigModule {
  static of(config: AdminConfig): DynamicModule {
    return { module: AdminConfigModule, providers: [{ provide: ADMIN_CONFIG, useValue: config }], exports: [ADMIN_CONFIG] };
  }
}

@Module({})
export class AdminModule {
  static forProvince(config: AdminConfig): DynamicModule {
    return {
      module: AdminModule,
      imports: [AdminConfigModule.of(config), PersistenceModule.forService(adminDatabase), ClockModule, AuditModule],
      providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
    };
  }
}
