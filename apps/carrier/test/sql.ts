import { Client } from 'pg';

/** Rows of one query on a test database, over a connection of its own (to check what a service stored). */
export async function rowsOf(url: string, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  try {
    return (await pg.query(sql, params)).rows;
  } finally {
    await pg.end();
  }
}
