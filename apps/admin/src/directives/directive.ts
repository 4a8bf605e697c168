import type { Action } from '@app/domain';
import type { HighRiskCellList } from '../cells/cell-list';
import type { StoredEvidence } from '../feed/evidence';

export enum DirectiveKind {
  /** Review the number (analyse, warn) and report back. */
  Review = 'REVIEW',
  Suspend = 'SUSPEND',
  Restore = 'RESTORE',
  /** The high-risk cell list changed: `cells` holds the whole new list. */
  HighRiskCells = 'HIGH_RISK_CELLS',
}

/** Kinds an administrator may issue about a number. */
export const NUMBER_DIRECTIVE_KINDS: readonly DirectiveKind[] = [
  DirectiveKind.Review,
  DirectiveKind.Suspend,
  DirectiveKind.Restore,
];

export enum DirectiveStatus {
  Pending = 'PENDING',
  Delivered = 'DELIVERED',
  Applied = 'APPLIED',
  Rejected = 'REJECTED',
  Expired = 'EXPIRED',
}

/** Sent again on every new stream until acknowledged or expired. */
export const OPEN_STATUSES: readonly DirectiveStatus[] = [DirectiveStatus.Pending, DirectiveStatus.Delivered];

export enum DirectiveOutcome {
  Applied = 'APPLIED',
  Rejected = 'REJECTED',
}

/** The principal recorded for directives the correlation policy issues. */
export const POLICY_ISSUER = 'admin-policy';

/** A directive with its delivery and outcome. */
export interface DirectiveRecord {
  id: string;
  kind: DirectiveKind;
  /** The owning carrier it is addressed to. */
  carrier: string;
  /** The number concerned; null for HIGH_RISK_CELLS. */
  msisdn: string | null;
  caseId: string | null;
  reason: string;
  evidence: StoredEvidence | null;
  cells: HighRiskCellList | null;
  issuedBy: string;
  issuedAt: Date;
  expiresAt: Date;
  status: DirectiveStatus;
  deliveries: number;
  lastDeliveredAt: Date | null;
  acknowledgedAt: Date | null;
  ackDetail: string | null;
  /** The number's step on the carrier's ladder after the directive, as the carrier acknowledged it. */
  ackState: Action | null;
}

/** A carrier's answer to a directive, as read from its stream. */
export interface DirectiveAck {
  directiveId: string;
  outcome: DirectiveOutcome | undefined;
  detail: string;
  state: Action | undefined;
}
