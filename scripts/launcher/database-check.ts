import { Client } from 'pg';
import { envOptional, type Env } from '@app/config';
import { databaseUrlVariable, parsePostgresUrl, urlWithDatabase } from '@app/persistence';
import type { ServicePlan } from './plan';

const CONNECT_TIMEOUT_MS = 5_000;

/** A configured PostgreSQL server that does not answer: named by its variable, never with its password. */
export class DatabaseUnreachableError extends Error {
  constructor(variable: string, hostPort: string, reason: string) {
    super(
      `${variable} points at ${hostPort}, which cannot be reached (${reason}): ` +
        `start that PostgreSQL server, fix ${variable}, or unset it to use the embedded one`,
    );
    this.name = 'DatabaseUnreachableError';
  }
}

/**
 * The servers the plan's services will use, each under the variable that names
 * it (a service's own `<SERVICE>_DATABASE_URL` wins over `DATABASE_URL`), once
 * per variable; services left to the embedded server are not listed.
 */
export function configuredDatabaseServers(plan: ServicePlan[][], env: Env): { variable: string; url: string }[] {
  const servers = new Map<string, string>();
  for (const { database } of plan.flat()) {
    const own = databaseUrlVariable(database.service, database.instance);
    const variable = envOptional(env, own) !== undefined ? own : 'DATABASE_URL';
    const url = envOptional(env, variable);
    if (url !== undefined) servers.set(variable, url);
  }
  return [...servers].map(([variable, url]) => ({ variable, url }));
}

/**
 * Connects once to each configured server (its `postgres` database: the
 * service's own may not exist yet) before any service starts, so that a
 * server that is down is reported once, by name, instead of by every service.
 */
export async function assertDatabasesReachable(plan: ServicePlan[][], env: Env): Promise<void> {
  for (const { variable, url } of configuredDatabaseServers(plan, env)) {
    const parsed = parsePostgresUrl(variable, url);
    const hostPort = `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
    const client = new Client({
      connectionString: urlWithDatabase(url, 'postgres', variable),
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    try {
      await client.connect();
    } catch (error) {
      if (!reachedTheServer(error)) throw new DatabaseUnreachableError(variable, hostPort, reasonOf(error));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** A PostgreSQL error (a SQLSTATE: no `postgres` database, a refused login) came from a server that answered. */
function reachedTheServer(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function reasonOf(error: unknown): string {
  // Duck-typed: errors from node:net are not instances of this realm's Error under jest.
  const { errors, message } = (error ?? {}) as { errors?: unknown; message?: unknown };
  if (Array.isArray(errors) && errors.length > 0) return reasonOf(errors[0]);
  return typeof message === 'string' && message !== '' ? message : String(error);
}
