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
