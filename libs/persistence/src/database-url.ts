import { ConfigError, envOptional, type Env } from '@app/config';

const NAME_PART = /^[a-z0-9_]+$/;
const MAX_IDENTIFIER_LENGTH = 63;

/** `fraud_registry`, `fraud_admin`, `fraud_carrier_cmcc`. */
export function databaseNameFor(service: string, instance?: string): string {
  const parts = instance === undefined ? [service] : [service, instance];
  const name = ['fraud', ...parts.map((part) => part.toLowerCase())].join('_');
  for (const part of parts) {
    if (!NAME_PART.test(part.toLowerCase())) {
      throw new ConfigError('database name', `"${part}" may only contain letters, digits and _`);
    }
  }
  if (name.length > MAX_IDENTIFIER_LENGTH) {
    throw new ConfigError('database name', `"${name}" is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  }
  return name;
}

/** `REGISTRY_DATABASE_URL`, `CARRIER_CMCC_DATABASE_URL`. */
export function databaseUrlVariable(service: string, instance?: string): string {
  const prefix = instance === undefined ? service : `${service}_${instance}`;
  return `${prefix.toUpperCase()}_DATABASE_URL`;
}

/**
 * The service's own variable wins as-is; otherwise `DATABASE_URL` names the
 * server and the service gets its own database on it; `undefined` means
 * "no server configured: use the embedded one".
 */
export function resolveDatabaseUrl(service: string, instance: string | undefined, env: Env): string | undefined {
  const ownVariable = databaseUrlVariable(service, instance);
  const own = envOptional(env, ownVariable);
  if (own !== undefined) {
    parsePostgresUrl(ownVariable, own);
    return own;
  }
  const server = envOptional(env, 'DATABASE_URL');
  return server === undefined ? undefined : databaseUrlOnServer(server, service, instance);
}

/** The service's database on the server `serverUrl` points at. */
export function databaseUrlOnServer(serverUrl: string, service: string, instance?: string): string {
  return urlWithDatabase(serverUrl, databaseNameFor(service, instance));
}

/** Same user, password, host, port and query parameters; another database. */
export function urlWithDatabase(url: string, database: string, variable = 'DATABASE_URL'): string {
  const parsed = parsePostgresUrl(variable, url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function databaseOf(url: string, variable = 'DATABASE_URL'): string {
  const name = decodeURIComponent(parsePostgresUrl(variable, url).pathname.slice(1));
  if (name === '')
    throw new ConfigError(variable, 'names no database (expected postgres://user:password@host:port/database)');
  return name;
}

export function parsePostgresUrl(variable: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // The value may hold a password: never echo it.
    throw new ConfigError(variable, 'is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(variable, `must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  return url;
}
