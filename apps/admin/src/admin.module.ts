import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '@app/audit';
import { ClockModule } from '@app/config';
import { AuthGuard } from '@app/grpc';
import { PersistenceModule } from '@app/persistence';
import { adminDatabase } from './database';

@Module({
  imports: [PersistenceModule.forService(adminDatabase), ClockModule, AuditModule],
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }],
})
export class AdminModule {}
