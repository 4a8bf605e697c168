import { Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AUDIT_SINK } from '@app/grpc';
import { AuditInterceptor } from './audit.interceptor';
import { AuditLog } from './audit-log.service';
import { AuditRepository } from './audit.repository';

/** The service's audit log: the auth guard's sink, and the writer of @Audited calls. */
@Module({
  providers: [
    AuditRepository,
    AuditLog,
    { provide: AUDIT_SINK, useExisting: AuditLog },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuditLog, AuditRepository, AUDIT_SINK],
})
export class AuditModule {}
