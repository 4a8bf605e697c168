import type { AuditSubject } from '@app/audit';
import { isMsisdn, normaliseMsisdn } from '@app/domain';

/** Audit columns are bounded; an over-long value is refused by the service, but its audit line must still fit. */
const TARGET_MAX = 32;
const PURPOSE_MAX = 500;

/**
 * What a look-up's audit line says (gRPC request, or HTTP path and query): the
 * number in E.164 when it is one, so that the log is searchable by number,
 * else as asked for; and the stated purpose.
 */
export function auditLookup(request: { msisdn?: unknown; purpose?: unknown }): AuditSubject {
  const msisdn = typeof request.msisdn === 'string' ? request.msisdn : undefined;
  return {
    target: msisdn === undefined ? undefined : isMsisdn(msisdn) ? normaliseMsisdn(msisdn, 'msisdn') : msisdn.slice(0, TARGET_MAX),
    purpose: typeof request.purpose === 'string' ? request.purpose.slice(0, PURPOSE_MAX) : undefined,
  };
}
