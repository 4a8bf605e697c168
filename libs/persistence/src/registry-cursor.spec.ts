import type { DataSource, EntityManager } from 'typeorm';
import { readRegistryCursor, storeAtRegistryCursor } from './registry-cursor';

/** A DataSource that answers `rows` and records each query, with whether it ran inside the transaction. */
function recordingDataSource(rows: unknown[]) {
  const queries: { sql: string; params?: unknown[]; inTransaction: boolean }[] = [];
  const query = (inTransaction: boolean) => async (sql: string, params?: unknown[]) => {
    queries.push({ sql, params, inTransaction });
    return rows;
  };
  const em = { query: query(true) } as unknown as EntityManager;
  const dataSource = {
    query: query(false),
    transaction: async (work: (em: EntityManager) => Promise<void>) => work(em),
  } as unknown as DataSource;
  return { dataSource, em, queries };
}

describe('registry cursor', () => {
  it('reads the stored version as a number (bigint comes back as text)', async () => {
    const { dataSource } = recordingDataSource([{ version: '42' }]);
    await expect(readRegistryCursor(dataSource)).resolves.toBe(42);
  });

  it('reads 0 when the row is missing', async () => {
    const { dataSource } = recordingDataSource([]);
    await expect(readRegistryCursor(dataSource)).resolves.toBe(0);
  });

  it('runs the write, then moves the cursor forward only, in the same transaction', async () => {
    const { dataSource, em, queries } = recordingDataSource([]);
    let writtenWith: EntityManager | undefined;
    await storeAtRegistryCursor(dataSource, 7, async (tx) => {
      writtenWith = tx;
      await tx.query('INSERT INTO something VALUES (1)');
    });
    expect(writtenWith).toBe(em);
    expect(queries).toEqual([
      { sql: 'INSERT INTO something VALUES (1)', params: undefined, inTransaction: true },
      {
        sql: 'UPDATE registry_cursor SET version = GREATEST(version, $1) WHERE id = 1',
        params: [7],
        inTransaction: true,
      },
    ]);
  });

  it('stores nothing when the write fails', async () => {
    const { dataSource, queries } = recordingDataSource([]);
    await expect(storeAtRegistryCursor(dataSource, 7, () => Promise.reject(new Error('write failed')))).rejects.toThrow(
      'write failed',
    );
    expect(queries).toEqual([]);
  });
});
