import {
  AUDIT_ANCHOR_APP_PRIVILEGES,
  AUDIT_ANCHOR_ROLE,
  AUDIT_APP_PRIVILEGES,
  AuditEventEntity,
  CreateAuditAnchor1764400000720,
  CreateAuditLog1764400000000,
  NormaliseAuditTargets1764400000710,
} from '@app/audit';
import type { ServiceDatabase } from '@app/persistence';
import { FlagEntity } from './flags/flag.entity';
import { CreateRegistry1764400000100 } from './migrations/1764400000100-create-registry';
import { NumberStatusEntity } from './numbers/number-status.entity';
import { StatusChangeEntity } from './numbers/status-change.entity';
import { VerificationEntity } from './verification/verification.entity';

/** The registry's tables, migrations and login roles, for the app and for `npm run migrate`. */
export const registryDatabase: ServiceDatabase = {
  service: 'registry',
  entities: [AuditEventEntity, NumberStatusEntity, StatusChangeEntity, FlagEntity, VerificationEntity],
  migrations: [
    CreateAuditLog1764400000000,
    CreateRegistry1764400000100,
    NormaliseAuditTargets1764400000710,
    CreateAuditAnchor1764400000720,
  ],
  appPrivileges: { ...AUDIT_APP_PRIVILEGES, ...AUDIT_ANCHOR_APP_PRIVILEGES },
  // The audit anchor writer, on a pool of its own.
  roles: [AUDIT_ANCHOR_ROLE],
};
