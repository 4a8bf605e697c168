import type { AuditSubject } from '@app/audit';

/**
 * What a look-up's audit line says (gRPC request, or HTTP path and query): the
 * number (the audit log stores it in E.164 when it is one) and the stated purpose.
 */
export function auditLookup(request: { msisdn?: unknown; purpose?: unknown }): AuditSubject {
  return {
    target: typeof request.msisdn === 'string' ? request.msisdn : undefined,
    purpose: typeof request.purpose === 'string' ? request.purpose : undefined,
  };
}
