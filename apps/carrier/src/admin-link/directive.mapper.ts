import { action, directiveKind, directiveOutcome, fromTimestamp, type admin } from '@app/contracts';
import {
  normaliseMsisdn,
  parseCellId,
  ValidationError,
  ValidationErrorCode,
  type Action,
  type CellId,
  type Msisdn,
} from '@app/domain';

/** One cell of the administration's list, as kept here (times in ms). */
export interface ListedCell {
  cell: CellId;
  reason: string;
  source: string;
  addedAt: number;
  /** Undefined: until removed. */
  expiresAt: number | undefined;
}

export interface HighRiskCellList {
  version: number;
  cells: ListedCell[];
}

/** A directive read from the wire, validated. */
export type DirectiveOrder =
  | { kind: 'SUSPEND' | 'RESTORE' | 'REVIEW'; msisdn: Msisdn; expiresAt: number | undefined }
  | { kind: 'HIGH_RISK_CELLS'; list: HighRiskCellList };

/** What applying a directive came to: stored in directive_log, and sent back as its acknowledgement. */
export interface DirectiveOutcome {
  outcome: 'APPLIED' | 'REJECTED';
  detail: string;
  /** The number's step after it; undefined for the cell list, or a number that is not ours. */
  state: Action | undefined;
}

/** The kind without its prefix (`SUSPEND`), as directive_log keeps it, whether or not this carrier knows it. */
export function kindName(kind: admin.DirectiveKind): string {
  return (directiveKind.name(kind) ?? 'UNSPECIFIED').slice(0, 16);
}

/** Throws a ValidationError naming the field at fault. */
export function readDirective(d: admin.Directive): DirectiveOrder {
  const kind = directiveKind.tryFromWire(d.kind);
  if (kind === 'HIGH_RISK_CELLS') {
    if (!d.cells)
      throw new ValidationError(
        ValidationErrorCode.Required,
        'directive.cells',
        'a HIGH_RISK_CELLS directive carries the whole list',
      );
    const version = Number(d.cells.version);
    if (!Number.isSafeInteger(version) || version < 1)
      throw new ValidationError(
        ValidationErrorCode.OutOfRange,
        'directive.cells.version',
        'must be a positive list version',
      );
    const cells = d.cells.cells.map((c, i) => readCell(c, `directive.cells.cells[${i}]`));
    const seen = new Set<string>();
    cells.forEach(({ cell }, i) => {
      if (seen.has(cell))
        throw new ValidationError(
          ValidationErrorCode.Malformed,
          `directive.cells.cells[${i}].cell`,
          `${cell} is listed twice`,
        );
      seen.add(cell);
    });
    return { kind: 'HIGH_RISK_CELLS', list: { version, cells } };
  }
  if (kind === undefined)
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      'directive.kind',
      `${String(d.kind)} is not a directive this carrier knows`,
    );
  return {
    kind,
    msisdn: normaliseMsisdn(d.msisdn, 'directive.msisdn'),
    expiresAt: fromTimestamp(d.expiresAt, 'directive.expires_at')?.getTime(),
  };
}

function readCell(c: admin.HighRiskCell, field: string): ListedCell {
  const addedAt = fromTimestamp(c.addedAt, `${field}.added_at`);
  if (addedAt === undefined)
    throw new ValidationError(ValidationErrorCode.Required, `${field}.added_at`, 'is required');
  return {
    cell: parseCellId(c.cell, `${field}.cell`),
    reason: c.reason,
    source: c.source,
    addedAt: addedAt.getTime(),
    expiresAt: fromTimestamp(c.expiresAt, `${field}.expires_at`)?.getTime(),
  };
}

export function toWireAck(directiveId: string, o: DirectiveOutcome): admin.DirectiveAck {
  return {
    directiveId,
    outcome: directiveOutcome.toWire(o.outcome),
    detail: o.detail,
    // No step (the cell list, a number not ours): UNSPECIFIED.
    state: action.toWire(o.state),
  };
}
