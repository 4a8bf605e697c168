import { ValidationError, ValidationErrorCode } from './errors';

/** A cell (base station) id, `MCC-MNC-LAC-CI`, e.g. `460-11-23456-1`. */
export type CellId = string & { readonly __brand: 'CellId' };

const CELL = /^\d{3}-\d{2,3}-\d{1,5}-\d{1,9}$/;

export function parseCellId(input: string | undefined | null, field: string): CellId {
  if (!input) throw new ValidationError(ValidationErrorCode.Required, field, 'a cell id is required');
  if (!CELL.test(input)) {
    throw new ValidationError(
      ValidationErrorCode.Malformed,
      field,
      `"${input.slice(0, 40)}" is not a cell id: use MCC-MNC-LAC-CI, e.g. 460-11-23456-1`,
    );
  }
  return input as CellId;
}
