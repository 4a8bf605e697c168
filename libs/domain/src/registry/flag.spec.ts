import { ValidationError } from '../errors';
import { canonicalJson, MAX_FLAGS_PER_BATCH, validateFlag, validateFlagBatch, type FlagInput } from './flag';

const now = new Date('2024-02-07T00:00:00Z');

function flag(overrides: Partial<FlagInput> = {}): FlagInput {
  return {
    idempotencyKey: 'CTCC-1',
    msisdn: '19112345678',
    source: 'carrier:CTCC',
    reasonCodes: ['CALL_BURST'],
    score: 0.8,
    evidence: {
      summary: '26 calls to 24 numbers in 85 min',
      measures: [{ name: 'calls_90m', value: 26, threshold: 20 }],
      cells: [{ cell: '460-11-23456-1', activity: 'call', at: new Date('2024-02-06T11:00:00Z') }],
    },
    observedAt: new Date('2024-02-06T12:00:00Z'),
    ...overrides,
  };
}

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.field;
    throw e;
  }
  return undefined;
}

describe(validateFlag.name, () => {
  it('normalises the number and hashes the content', () => {
    const f = validateFlag(flag(), 'flags[0].', now);
    expect(f.msisdn).toBe('+8619112345678');
    expect(f.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(validateFlag(flag({ msisdn: '+8619112345678' }), '', now).contentHash).toBe(f.contentHash);
    expect(validateFlag(flag({ score: 0.81 }), '', now).contentHash).not.toBe(f.contentHash);
  });

  it.each<[string, Partial<FlagInput>, string]>([
    ['no key', { idempotencyKey: '' }, 'flags[3].idempotency_key'],
    ['a key with a space', { idempotencyKey: 'a b' }, 'flags[3].idempotency_key'],
    ['a bad number', { msisdn: '1911234567x' }, 'flags[3].msisdn'],
    ['an unknown source', { source: 'carrier:XYZ' }, 'flags[3].source'],
    ['no reason', { reasonCodes: [] }, 'flags[3].reason_codes'],
    ['a lower-case reason', { reasonCodes: ['CALL_BURST', 'burst'] }, 'flags[3].reason_codes[1]'],
    ['a score above 1', { score: 1.5 }, 'flags[3].score'],
    ['a NaN score', { score: Number.NaN }, 'flags[3].score'],
    ['no observation time', { observedAt: undefined }, 'flags[3].observed_at'],
    ['a time in the future', { observedAt: new Date('2024-02-08T00:00:00Z') }, 'flags[3].observed_at'],
    ['no evidence', { evidence: undefined }, 'flags[3].evidence'],
    ['an empty summary', { evidence: { summary: ' ', measures: [], cells: [] } }, 'flags[3].evidence.summary'],
    [
      'a bad cell',
      { evidence: { summary: 's', measures: [], cells: [{ cell: 'tower-9', activity: 'call' }] } },
      'flags[3].evidence.cells[0].cell',
    ],
    [
      'a bad activity',
      { evidence: { summary: 's', measures: [], cells: [{ cell: '460-00-1-1', activity: 'fly' }] } },
      'flags[3].evidence.cells[0].activity',
    ],
    [
      'an inverted window',
      {
        evidence: {
          summary: 's',
          measures: [],
          cells: [],
          windowStart: new Date('2024-02-06T00:00:00Z'),
          windowEnd: new Date('2024-02-05T00:00:00Z'),
        },
      },
      'flags[3].evidence.window_end',
    ],
  ])('refuses %s, naming %s', (_label, overrides, field) => {
    expect(fieldOf(() => validateFlag(flag(overrides), 'flags[3].', now))).toBe(field);
  });
});

describe(validateFlagBatch.name, () => {
  it('refuses an empty batch and one over the maximum', () => {
    expect(fieldOf(() => validateFlagBatch([], now))).toBe('flags');
    expect(() =>
      validateFlagBatch(
        Array.from({ length: MAX_FLAGS_PER_BATCH + 1 }, (_, i) => flag({ idempotencyKey: `k${i}` })),
        now,
      ),
    ).toThrow(/at most 1000 flags/);
  });

  it('names the index of the first bad flag', () => {
    expect(
      fieldOf(() => validateFlagBatch([flag({ idempotencyKey: 'a' }), flag({ idempotencyKey: 'b', score: 2 })], now)),
    ).toBe('flags[1].score');
  });

  it('accepts a key repeated with the same content, refuses it with other content', () => {
    expect(validateFlagBatch([flag(), flag()], now)).toHaveLength(2);
    expect(fieldOf(() => validateFlagBatch([flag(), flag({ score: 0.1 })], now))).toBe('flags[1].idempotency_key');
  });
});

describe(canonicalJson.name, () => {
  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: new Date(0) } })).toBe(
      canonicalJson({ a: { c: new Date(0), d: [1, { y: 2, z: 1 }] }, b: 1 }),
    );
  });
});
