import { Module } from '@nestjs/common';
import type { ServiceRole } from '@app/persistence';
import { AUDIT_ANCHOR_LOGIN, AuditAnchorRepository } from './audit-anchor.repository';
import { AuditAnchors } from './audit-anchors.service';
import { AuditModule } from './audit.module';

/**
 * The role that writes audit anchors, and nothing else: it may add to and
 * read audit_anchor. The application role may only read that table
 * (AUDIT_ANCHOR_APP_PRIVILEGES); neither may change a row of it.
 */
export const AUDIT_ANCHOR_ROLE: ServiceRole = {
  name: AUDIT_ANCHOR_LOGIN,
  defaultRole: 'fraud_audit_anchor',
  privileges: { audit_anchor: ['SELECT', 'INSERT'] },
  entities: [],
};

export const AUDIT_ANCHOR_APP_PRIVILEGES = { audit_anchor: ['SELECT'] } as const;

/** Anchoring of the service's audit chain (the registry's); its database must declare AUDIT_ANCHOR_ROLE. */
@Module({
  imports: [AuditModule],
  providers: [AuditAnchorRepository, AuditAnchors],
  exports: [AuditAnchors],
})
export class AuditAnchorModule {}
