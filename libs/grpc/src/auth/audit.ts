/** One line of a service's audit log (libs/audit implements the sink). */
export interface AuditEntry {
  /** Token subject, or '' when the caller could not be authenticated. */
  actor: string;
  /** Token role as presented, or '' when unknown. */
  role: string;
  /** Full RPC name, e.g. `fraud.registry.v1.RegistryService/GetNumberRecord`. */
  action: string;
  /** The number concerned, when there is one. */
  target?: string;
  purpose?: string;
  caseId?: string;
  /** `OK`, or the gRPC status name of the failure, e.g. `PERMISSION_DENIED`. */
  outcome: string;
  detail?: Record<string, unknown>;
}

export interface AuditSink {
  /** Resolves once the entry is durable. */
  record(entry: AuditEntry): Promise<void>;
}

/** Injection token of the AuditSink the AuthGuard reports refused calls to. */
export const AUDIT_SINK = Symbol('AUDIT_SINK');

/**
 * Set on an answer or an error that was audited already, so the audit of
 * @Audited calls does not write it again: a refusal audited where it was raised
 * (the client limits), or the outcome of a call another process served and
 * audited (a carrier shard passing a call to the shard that keeps the number).
 */
export const AUDITED = Symbol.for('fraud.grpc.audited');

/** Marks `outcome` (an answer object or an error) as audited already. */
export function markAudited<T>(outcome: T): T {
  if (typeof outcome === 'object' && outcome !== null)
    Object.defineProperty(outcome, AUDITED, { value: true, enumerable: false });
  return outcome;
}

/** Whether `outcome` was audited already (markAudited). */
export function wasAudited(outcome: unknown): boolean {
  return typeof outcome === 'object' && outcome !== null && (outcome as Record<symbol, unknown>)[AUDITED] === true;
}
