export * from './audit-chain';
export * from './audit-event.entity';
export * from './audit-log.service';
export * from './audit.module';
export * from './audit.repository';
export * from './create-audit-log.migration';
export * from './audited.decorator';
export * from './audit.interceptor';
