import { randomBytes } from 'node:crypto';
import { envString } from '@app/config';
import { ensureDatabase, urlWithDatabase, withMaintenanceClient } from '@app/persistence';

describe('ensureDatabase', () => {
  const name = `t_ensure_${randomBytes(4).toString('hex')}`;
  const url = urlWithDatabase(envString(process.env, 'DATABASE_URL'), name);
  const exists = () =>
    withMaintenanceClient(
      url,
      async (client) => (await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount,
    );

  afterAll(() =>
    withMaintenanceClient(url, (client) =>
      client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
    ),
  );

  it('creates a missing database exactly once when callers race', async () => {
    const created = await Promise.all([
      ensureDatabase(url),
      ensureDatabase(url),
      ensureDatabase(url),
      ensureDatabase(url),
    ]);
    expect(created.filter(Boolean)).toHaveLength(1);
    expect(await exists()).toBe(1);
  });

  it('leaves an existing database alone', async () => {
    expect(await ensureDatabase(url)).toBe(false);
  });
});
