import { admin, toOptionalTimestamp, toTimestamp } from '@app/contracts';
import { Action } from '@app/domain';
import { cellListToWire } from '../cells/cell-list';
import { evidenceToWire } from '../feed/evidence';
import { DirectiveOutcome, type DirectiveAck, type DirectiveRecord } from './directive';

/** Between the wire (fraud.admin.v1) and directives: the enums' prefixes and times. */

const KIND_PREFIX = 'DIRECTIVE_KIND_';
const STATUS_PREFIX = 'DIRECTIVE_STATUS_';
const ACTION_PREFIX = 'ACTION_';

/** `DIRECTIVE_KIND_REVIEW` → `REVIEW`; unset → undefined (the service names the field). */
export function fromWireKind(kind: admin.DirectiveKind | undefined): string | undefined {
  return kind === undefined || kind === admin.DirectiveKind.DIRECTIVE_KIND_UNSPECIFIED ? undefined : String(kind).replace(KIND_PREFIX, '');
}

export function fromWireStatus(status: admin.DirectiveStatus | undefined): string | undefined {
  return status === undefined || status === admin.DirectiveStatus.DIRECTIVE_STATUS_UNSPECIFIED ? undefined : String(status).replace(STATUS_PREFIX, '');
}

export function fromWireAck(ack: admin.DirectiveAck | undefined): DirectiveAck | undefined {
  if (!ack) return undefined;
  const outcome =
    ack.outcome === admin.DirectiveOutcome.DIRECTIVE_OUTCOME_APPLIED
      ? DirectiveOutcome.Applied
      : ack.outcome === admin.DirectiveOutcome.DIRECTIVE_OUTCOME_REJECTED
        ? DirectiveOutcome.Rejected
        : undefined;
  const state = String(ack.state ?? '').replace(ACTION_PREFIX, '');
  return {
    directiveId: ack.directiveId ?? '',
    outcome,
    detail: ack.detail ?? '',
    state: (Object.values(Action) as string[]).includes(state) ? (state as Action) : undefined,
  };
}

export function toWireDirective(d: DirectiveRecord): admin.Directive {
  return {
    directiveId: d.id,
    kind: `${KIND_PREFIX}${d.kind}` as admin.DirectiveKind,
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
    status: `${STATUS_PREFIX}${d.status}` as admin.DirectiveStatus,
    issuedBy: d.issuedBy,
    deliveries: d.deliveries,
    acknowledgedAt: toOptionalTimestamp(d.acknowledgedAt),
    ackDetail: d.ackDetail ?? '',
  };
}

