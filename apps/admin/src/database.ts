import {
  AUDIT_APP_PRIVILEGES,
  AuditEventEntity,
  CreateAuditLog1764400000000,
  NormaliseAuditTargets1764400000710,
} from '@app/audit';
import type { ServiceDatabase } from '@app/persistence';
import { CreateAdmin1764400000400 } from './migrations/1764400000400-create-admin';
import { CreatePortedNumberChange1764400000450 } from './migrations/1764400000450-create-ported-number-change';
import { CaseTracking1764400000600 } from './migrations/1764400000600-case-tracking';
import { RuleDemotion1764400000810 } from './migrations/1764400000810-rule-demotion';
import { CalleeWarningCount1764400000820 } from './migrations/1764400000820-callee-warning-count';

/** The admin service's tables and migrations, for the app and for `npm run migrate`. */
export const adminDatabase: ServiceDatabase = {
  service: 'admin',
  entities: [AuditEventEntity],
  migrations: [
    CreateAuditLog1764400000000,
    CreateAdmin1764400000400,
    CreatePortedNumberChange1764400000450,
    CaseTracking1764400000600,
    NormaliseAuditTargets1764400000710,
    RuleDemotion1764400000810,
    CalleeWarningCount1764400000820,
  ],
  appPrivileges: AUDIT_APP_PRIVILEGES,
};
