import { DomainError, ErrorKind, errorCodes, FeatureError, ValidationError, ValidationErrorCode } from './errors';

describe(errorCodes.name, () => {
  const CellsError = errorCodes('CellsError', { KEY_REUSED: ErrorKind.AlreadyExists, NOT_LISTED: ErrorKind.NotFound });

  it('gives each code the kind of its table, and names the field at fault in the message', () => {
    const error = new CellsError('NOT_LISTED', '460-00-1-1 is not on the high-risk cell list', 'cell');
    expect(error).toMatchObject({
      code: 'NOT_LISTED',
      kind: ErrorKind.NotFound,
      field: 'cell',
      message: 'cell: 460-00-1-1 is not on the high-risk cell list',
      name: 'CellsError',
    });
    expect(new CellsError('KEY_REUSED', 'was already used for a different change of the list').kind).toBe(
      ErrorKind.AlreadyExists,
    );
  });

  it('makes a class of its own, whose errors are feature errors and domain errors', () => {
    const OtherError = errorCodes('OtherError', { KEY_REUSED: ErrorKind.AlreadyExists });
    const error = new CellsError('KEY_REUSED', 'again');
    expect(error).toBeInstanceOf(CellsError);
    expect(error).toBeInstanceOf(FeatureError);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).not.toBeInstanceOf(OtherError);
    expect(CellsError.name).toBe('CellsError');
    expect(CellsError.kinds).toEqual({ KEY_REUSED: ErrorKind.AlreadyExists, NOT_LISTED: ErrorKind.NotFound });
  });
});

describe(ValidationError.name, () => {
  it('is a feature error of kind INVALID_ARGUMENT whose code says what is wrong with the field', () => {
    const error = new ValidationError(ValidationErrorCode.Required, 'msisdn', 'is required');
    expect(error).toBeInstanceOf(FeatureError);
    expect(error).toMatchObject({
      code: 'REQUIRED',
      kind: ErrorKind.InvalidArgument,
      field: 'msisdn',
      reason: 'is required',
      message: 'msisdn: is required',
      name: 'ValidationError',
    });
    expect(error.under('flags[3].')).toMatchObject({
      code: 'REQUIRED',
      field: 'flags[3].msisdn',
      message: 'flags[3].msisdn: is required',
    });
  });
});
