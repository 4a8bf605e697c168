import { SetMetadata } from '@nestjs/common';

/** What an audited call concerns, read from its request. */
export interface AuditSubject {
  target?: string;
  purpose?: string;
  caseId?: string;
  detail?: Record<string, unknown>;
}

export const AUDITED = Symbol('audited');

/**
 * Writes every call of the handler to the audit log, successful or not, with
 * what `describe` reads from the request (the number, the stated purpose, …).
 */
export const Audited = <Req>(describe: (request: Req) => AuditSubject = () => ({})) => SetMetadata(AUDITED, describe);
