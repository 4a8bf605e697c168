import { Client } from 'pg';
import { databaseOf, urlWithDatabase } from './database-url';

const DUPLICATE_DATABASE = '42P04';
const UNIQUE_VIOLATION = '23505';
const INVALID_CATALOG_NAME = '3D000';

/**
 * Creates the database `url` names if it is missing. Safe when several
 * processes start at once: losing the race is not an error.
 * Returns whether this call created it.
 */
export async function ensureDatabase(url: string): Promise<boolean> {
  const database = databaseOf(url);
  return withMaintenanceClient(url, async (client) => {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(database)}`);
      return true;
    } catch (error) {
      if (lostCreateRace(error)) return false;
      throw error;
    }
  });
}

/** Runs `work` connected to the server's maintenance database (`postgres`, else `template1`). */
export async function withMaintenanceClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectMaintenance(url);
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function connectMaintenance(url: string): Promise<Client> {
  try {
    return await connect(urlWithDatabase(url, 'postgres'));
  } catch (error) {
    if (errorCode(error) !== INVALID_CATALOG_NAME) throw error;
    return connect(urlWithDatabase(url, 'template1'));
  }
}

async function connect(connectionString: string): Promise<Client> {
  const client = new Client({ connectionString });
  await client.connect();
  return client;
}

// A concurrent CREATE DATABASE of the same name fails with 42P04, or with
// 23505 on pg_database's unique index when both pass the existence check.
function lostCreateRace(error: unknown): boolean {
  const code = errorCode(error);
  return code === DUPLICATE_DATABASE || code === UNIQUE_VIOLATION;
}

export function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : undefined;
}
