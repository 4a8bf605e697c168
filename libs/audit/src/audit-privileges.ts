import type { TablePrivilege } from '@app/persistence';

/**
 * What a service's application role may do on the audit log: read it and add
 * lines, never change, delete or truncate them (the trigger refuses those too,
 * but only the owner could switch the trigger off).
 */
export const AUDIT_APP_PRIVILEGES: Readonly<Record<string, readonly TablePrivilege[]>> = {
  audit_event: ['SELECT', 'INSERT'],
};
