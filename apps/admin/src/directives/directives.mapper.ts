import {
  action,
  directiveKind,
  directiveOutcome,
  directiveStatus,
  toOptionalTimestamp,
  toTimestamp,
  type admin,
} from '@app/contracts';
import { cellListToWire } from '../cells/cell-list';
import { evidenceToWire } from '../feed/evidence';
import type { DirectiveAck, DirectiveOutcome, DirectiveRecord } from './directive';

/**
 * Between the wire (fraud.admin.v1) and directives: times and nested messages
 * (the enums' codecs are in libs/contracts).
 */

export function fromWireAck(ack: admin.DirectiveAck | undefined): DirectiveAck | undefined {
  if (!ack) return undefined;
  return {
    directiveId: ack.directiveId ?? '',
    // DirectiveOutcome's values are the wire's names.
    outcome: directiveOutcome.tryFromWire(ack.outcome) as DirectiveOutcome | undefined,
    detail: ack.detail ?? '',
    state: action.tryFromWire(ack.state),
  };
}

export function toWireDirective(d: DirectiveRecord): admin.Directive {
  return {
    directiveId: d.id,
    kind: directiveKind.toWire(d.kind),
    msisdn: d.msisdn ?? '',
    caseId: d.caseId ?? '',
    reason: d.reason,
    evidence: d.evidence ? evidenceToWire(d.evidence) : undefined,
    issuedAt: toTimestamp(d.issuedAt),
    expiresAt: toTimestamp(d.expiresAt),
    cells: d.cells ? cellListToWire(d.cells) : undefined,
  };
}

export function toWireDirectiveRecord(d: DirectiveRecord): admin.DirectiveRecord {
  return {
    directive: toWireDirective(d),
    carrier: d.carrier,
    status: directiveStatus.toWire(d.status),
    issuedBy: d.issuedBy,
    deliveries: d.deliveries,
    acknowledgedAt: toOptionalTimestamp(d.acknowledgedAt),
    ackDetail: d.ackDetail ?? '',
  };
}
