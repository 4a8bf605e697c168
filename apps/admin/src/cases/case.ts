export enum CaseStatus {
  Open = 'OPEN',
  /** Restored within the service level (or with no clock running). */
  Resolved = 'RESOLVED',
  /** The service-level clock ran out before the number was restored. */
  Escalated = 'ESCALATED',
}

export interface CaseEvent {
  at: Date;
  /** `carrier:CTCC`, `admin`, `police`, or the subject that issued a directive. */
  actor: string;
  what: string;
}

/** One suspension of a number, followed across carrier, province and police. */
export interface CaseFile {
  caseId: string;
  msisdn: string;
  /** The carrier that suspended it (the owner). */
  owner: string;
  status: CaseStatus;
  openedAt: Date;
  /** Police clearance: starts the service-level clock. */
  clearedAt: Date | null;
  /** clearedAt + CASE_SLA_HOURS. */
  dueAt: Date | null;
  resolvedAt: Date | null;
  escalatedAt: Date | null;
  events: CaseEvent[];
}
