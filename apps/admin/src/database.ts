import { AuditEventEntity, CreateAuditLog1764400000000 } from '@app/audit';
import type { ServiceDatabase } from '@app/persistence';

/** The admin service's tables and migrations, for the app and for `npm run migrate`. */
export const adminDatabase: ServiceDatabase = {
  service: 'admin',
  entities: [AuditEventEntity],
  migrations: [CreateAuditLog1764400000000],
};
