import { Module } from '@nestjs/common';
import { AuditAnchorModule, AuditModule } from '@app/audit';
import { ClockModule } from '@app/config';
import { CALL_ADMISSION } from '@app/grpc';
import { MetricsModule } from '@app/observability';
import { PersistenceModule } from '@app/persistence';
import { AuditController } from './audit/audit.controller';
import { registryDatabase } from './database';
import { FlagsModule } from './flags/flags.module';
import { NumbersModule } from './numbers/numbers.module';
import { RecordsModule } from './records/records.module';
import { VerificationModule } from './verification/verification.module';

@Module({
  imports: [MetricsModule.forService('registry'), PersistenceModule.forService(registryDatabase), ClockModule, AuditModule, AuditAnchorModule, NumbersModule, FlagsModule, VerificationModule, RecordsModule],
  controllers: [AuditController],
  providers: CALL_ADMISSION,
})
export class RegistryModule {}
