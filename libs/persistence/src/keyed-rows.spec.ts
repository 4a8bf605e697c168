import type { EntityManager } from 'typeorm';
import { columnOf, insertRow, rowByKey } from './keyed-rows';

/** An entity manager that keeps the queries it is given and answers each with `rows`. */
function recording(rows: unknown[] = []): { em: EntityManager; queries: [string, unknown[]][] } {
  const queries: [string, unknown[]][] = [];
  const em = {
    query: (sql: string, parameters: unknown[]) => {
      queries.push([sql, parameters]);
      return Promise.resolve(rows);
    },
  } as unknown as EntityManager;
  return { em, queries };
}

describe(columnOf.name, () => {
  it.each([
    ['msisdn', 'msisdn'],
    ['idempotencyKey', 'idempotency_key'],
    ['nationalIdLast4', 'national_id_last4'],
    ['attestationReference', 'attestation_reference'],
  ])('names the column of %s %s', (field, column) => expect(columnOf(field)).toBe(column));
});

describe(insertRow.name, () => {
  it('inserts each field into its column, in order, as parameters', async () => {
    const { em, queries } = recording();
    const at = new Date('2025-01-02T03:04:05Z');
    await insertRow(em, 'appeal', { idempotencyKey: 'k-1', msisdn: '+8613800000000', upheld: false, at });
    expect(queries).toEqual([
      [
        'INSERT INTO appeal (idempotency_key, msisdn, upheld, at) VALUES ($1, $2, $3, $4)',
        ['k-1', '+8613800000000', false, at],
      ],
    ]);
  });
});

describe(rowByKey.name, () => {
  it('reads the fields of the row stored with the key', async () => {
    const row = { contentHash: 'h', msisdn: '+8613800000000', state: null };
    const { em, queries } = recording([row]);
    await expect(rowByKey<typeof row>(em, 'reactivation', ['contentHash', 'msisdn', 'state'], 'k-1')).resolves.toBe(
      row,
    );
    expect(queries).toEqual([
      [
        'SELECT content_hash AS "contentHash", msisdn AS "msisdn", state AS "state" ' +
          'FROM reactivation WHERE idempotency_key = $1',
        ['k-1'],
      ],
    ]);
  });

  it('answers undefined for a key never stored', async () => {
    const { em } = recording([]);
    await expect(rowByKey<{ msisdn: string }>(em, 'appeal', ['msisdn'], 'k-2')).resolves.toBeUndefined();
  });
});
