import { ValidationError } from '@app/domain';
import { NationalIdHasher, parseNationalId, redactNationalIds, type NationalId } from './national-id';

describe(parseNationalId.name, () => {
  it('accepts 17 digits and the right check character, X included (a lower-case x too)', () => {
    expect(parseNationalId('11010519491231002X', 'national_id')).toBe('11010519491231002X');
    expect(parseNationalId('11010519491231002x', 'national_id')).toBe('11010519491231002X');
    expect(parseNationalId('440304199001011233', 'national_id')).toBe('440304199001011233');
  });

  it.each([
    ['empty', '', 'the national ID number checked is required'],
    ['a wrong check character', '440304199001011234', 'the check character does not match'],
    ['a transposition', '440304199001011323', 'the check character does not match'],
    ['17 characters', '44030419900101123', 'got 17 characters'],
    ['19 characters', '4403041990010112330', 'got 19 characters'],
    ['full-width digits', '４４０３０４１９９００１０１１２３３', 'got 18 characters'],
    ['an X before the end', '4403041990010112X3', 'must be 18 characters'],
    ['spaces', '440304 19900101123', 'must be 18 characters'],
  ])('refuses %s, naming the field and never repeating the number', (_case, input, reason) => {
    let error: unknown;
    try {
      parseNationalId(input, 'national_id');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('national_id');
    expect((error as ValidationError).message).toContain(reason);
    if (input) expect((error as ValidationError).message).not.toContain(input.slice(0, 10));
  });
});

describe(NationalIdHasher.name, () => {
  const id = parseNationalId('11010519491231002X', 'national_id');

  it('keys the hash: the same number gives the same hash under one key, another under another key', () => {
    const hasher = new NationalIdHasher(Buffer.from('k'.repeat(32)));
    expect(hasher.hash(id)).toMatch(/^[0-9a-f]{64}$/);
    expect(hasher.hash(id)).toBe(new NationalIdHasher(Buffer.from('k'.repeat(32))).hash(id));
    expect(hasher.hash(id)).not.toBe(new NationalIdHasher(Buffer.from('j'.repeat(32))).hash(id));
    expect(hasher.hash(id)).not.toBe(hasher.hash(parseNationalId('440304199001011233', 'national_id')));
  });

  it('keeps the last four characters only', () => {
    expect(NationalIdHasher.lastFour(id)).toBe('002X');
    expect(NationalIdHasher.lastFour('440304199001011233' as NationalId)).toBe('1233');
  });
});

describe(redactNationalIds.name, () => {
  it('blanks anything shaped like a national ID (15 or 18 characters) and leaves the rest', () => {
    expect(redactNationalIds('shop 0817 ticket 11010519491231002X ok')).toBe('shop 0817 ticket [redacted] ok');
    expect(redactNationalIds('old id 110105491231002')).toBe('old id [redacted]');
    expect(redactNationalIds('eid-2024-000123456')).toBe('eid-2024-000123456');
  });
});
