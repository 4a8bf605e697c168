import { Module, type DynamicModule } from '@nestjs/common';
import { AuditAnchorModule, AuditModule } from '@app/audit';
import { ConfigModule, type Env } from '@app/config';
import type { Clock } from '@app/domain';
import { CALL_ADMISSION } from '@app/grpc';
import { MetricsModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { AuditController } from './audit/audit.controller';
import { registryDatabase } from './database';
import { FlagsModule } from './flags/flags.module';
import { NumbersModule } from './numbers/numbers.module';
import { RecordsModule } from './records/records.module';
import { VerificationModule } from './verification/verification.module';

@Module({})
export class RegistryModule {
  /** The registry, reading `env` (process.env in main.ts) and `clock` (the wall clock unless a test moves it). */
  static forEnv(env: Env, clock?: Clock): DynamicModule {
    return {
      module: RegistryModule,
      imports: [
        ConfigModule.forEnv(env, clock),
        MetricsModule.forService('registry'),
        PersistenceModule.forService(registryDatabase),
        AuditModule,
        AuditAnchorModule,
        NumbersModule,
        FlagsModule,
        VerificationModule,
        RecordsModule,
      ],
      controllers: [AuditController],
      providers: CALL_ADMISSION,
    };
  }
}
