import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ConfigError, envOptional, envString, type Env } from '@app/config';
import { databaseNameFor, databaseOf, parsePostgresUrl } from './database-url';
import { DML, type ServiceDatabase, type TablePrivilege } from './service-database';

/** The role the services' pools log in as, unless `DATABASE_APP_ROLE` or an app URL names another. */
export const DEFAULT_APP_ROLE = 'fraud_app';
export const APP_LOGIN = 'app';

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A role a service logs in as for its work (never the owner of its tables):
 * where it connects and what it may do on each table.
 */
export interface DatabaseLogin {
  /** `app`, or a ServiceRole's name (`anchor`). */
  name: string;
  /** The PostgreSQL role. */
  role: string;
  /** postgres://role:password@host:port/database of the service's database. */
  url: string;
  /** The password to give the role when the owner creates or repairs it (undefined: none, e.g. a trust-auth server). */
  password: string | undefined;
  /** Taken from `<SERVICE>_DATABASE_<NAME>_URL` or `DATABASE_<NAME>_URL` (true), or made by the owner (false). */
  explicit: boolean;
  /** The variable an operator sets to give this login explicitly, for messages. */
  variable: string;
  /** Per table; `otherTables` for any table not listed. */
  tables: Readonly<Record<string, readonly TablePrivilege[]>>;
  otherTables: readonly TablePrivilege[];
}

/** `REGISTRY_DATABASE_APP_URL`, `CARRIER_CMCC_DATABASE_ANCHOR_URL`. */
export function loginUrlVariable(service: string, login: string, instance?: string): string {
  const prefix = instance === undefined ? service : `${service}_${instance}`;
  return `${prefix.toUpperCase()}_DATABASE_${login.toUpperCase()}_URL`;
}

/** Whether an application URL is configured for the service (then it can run without the owner's URL). */
export function hasExplicitAppUrl(db: ServiceDatabase, instance: string | undefined, env: Env): boolean {
  return (
    envOptional(env, loginUrlVariable(db.service, APP_LOGIN, instance)) !== undefined ||
    envOptional(env, 'DATABASE_APP_URL') !== undefined
  );
}

/**
 * Every login of the service: the application role, then the service's own
 * roles. `ownerUrl` is the owner's URL when known (it runs migrations and may
 * create the roles); without it every login must be given by URL.
 */
export function resolveDatabaseLogins(
  db: ServiceDatabase,
  instance: string | undefined,
  env: Env,
  ownerUrl: string | undefined,
): DatabaseLogin[] {
  const migrationsTable = `${db.service}_migrations`;
  const app = resolveLogin(db.service, instance, env, ownerUrl, {
    name: APP_LOGIN,
    defaultRole: DEFAULT_APP_ROLE,
    tables: { [migrationsTable]: ['SELECT'], ...db.appPrivileges },
    otherTables: DML,
  });
  const others = (db.roles ?? []).map((role) =>
    resolveLogin(db.service, instance, env, ownerUrl, {
      name: role.name,
      defaultRole: role.defaultRole,
      tables: role.privileges,
      otherTables: [],
    }),
  );
  const logins = [app, ...others];
  const owner = ownerUrl === undefined ? undefined : decodeURIComponent(new URL(ownerUrl).username);
  logins.forEach((login, i) => {
    if (owner !== undefined && login.role === owner) {
      throw new ConfigError(
        login.explicit ? login.variable : roleVariable(login.name),
        `connects as "${login.role}", the owner of the tables: the ${login.name} login needs a role of its own`,
      );
    }
    const other = logins.slice(0, i).find((earlier) => earlier.role === login.role);
    if (other)
      throw new ConfigError(
        login.explicit ? login.variable : roleVariable(login.name),
        `the ${login.name} and ${other.name} logins both use role "${login.role}": each needs its own`,
      );
  });
  return logins;
}

interface LoginSpec {
  name: string;
  defaultRole: string;
  tables: Readonly<Record<string, readonly TablePrivilege[]>>;
  otherTables: readonly TablePrivilege[];
}

function resolveLogin(
  service: string,
  instance: string | undefined,
  env: Env,
  ownerUrl: string | undefined,
  spec: LoginSpec,
): DatabaseLogin {
  const ownVariable = loginUrlVariable(service, spec.name, instance);
  const sharedVariable = `DATABASE_${spec.name.toUpperCase()}_URL`;
  const ownerDatabase = ownerUrl === undefined ? undefined : databaseOf(ownerUrl);
  const base = { name: spec.name, tables: spec.tables, otherTables: spec.otherTables, variable: ownVariable };

  const own = envOptional(env, ownVariable);
  if (own !== undefined) {
    const url = parsePostgresUrl(ownVariable, own);
    const database = databaseOf(own, ownVariable);
    if (ownerDatabase !== undefined && database !== ownerDatabase) {
      throw new ConfigError(
        ownVariable,
        `names database "${database}", but the owner's URL names "${ownerDatabase}": ` +
          "both must name the service's database",
      );
    }
    return { ...base, role: roleOf(ownVariable, url), url: own, password: passwordOf(url), explicit: true };
  }
  const shared = envOptional(env, sharedVariable);
  if (shared !== undefined) {
    const url = parsePostgresUrl(sharedVariable, shared);
    url.pathname = `/${encodeURIComponent(ownerDatabase ?? databaseNameFor(service, instance))}`;
    return {
      ...base,
      role: roleOf(sharedVariable, url),
      url: url.toString(),
      password: passwordOf(url),
      explicit: true,
    };
  }
  if (ownerUrl === undefined) {
    throw new ConfigError(
      ownVariable,
      `or ${sharedVariable} is required: without the owner's URL the service cannot make its ${spec.name} login`,
    );
  }
  const role = envString(env, roleVariable(spec.name), spec.defaultRole);
  if (!ROLE_NAME.test(role))
    throw new ConfigError(
      roleVariable(spec.name),
      `"${role}" is not a role name (lower-case letters, digits and _, at most 63)`,
    );
  const password = derivedPassword(ownerUrl, role);
  if (password === undefined && envOptional(env, 'NODE_ENV') === 'production') {
    throw new ConfigError(
      sharedVariable,
      "is required in production when the owner's URL carries no password " +
        `(the ${spec.name} role's password is derived from it)`,
    );
  }
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(role);
  url.password = password === undefined ? '' : encodeURIComponent(password);
  return { ...base, role, url: url.toString(), password, explicit: false };
}

/** `DATABASE_APP_ROLE`, `DATABASE_ANCHOR_ROLE`. */
export function roleVariable(login: string): string {
  return `DATABASE_${login.toUpperCase()}_ROLE`;
}

function roleOf(variable: string, url: URL): string {
  const role = decodeURIComponent(url.username);
  if (role === '')
    throw new ConfigError(variable, 'names no user (expected postgres://role:password@host:port/database)');
  return role;
}

function passwordOf(url: URL): string | undefined {
  return url.password === '' ? undefined : decodeURIComponent(url.password);
}

/**
 * A login role's password when the owner makes the role: derived from the
 * owner's password and the role's name, so every process that holds the owner's
 * URL agrees on it without storing it anywhere, and it is no easier to learn
 * than the owner's own. Undefined when the owner's URL has no password (a
 * trust-auth development server).
 */
export function derivedPassword(ownerUrl: string, role: string): string | undefined {
  const owner = new URL(ownerUrl);
  if (owner.password === '') return undefined;
  return createHmac('sha256', decodeURIComponent(owner.password))
    .update(`fraud-numbers database login:${role}`)
    .digest('base64url');
}

/**
 * The SCRAM-SHA-256 verifier of `password`, as PostgreSQL stores it: CREATE and
 * ALTER ROLE are given this rather than the password, so the password never
 * reaches the server's statement log.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(saslprep(password), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return (
    `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}` +
    `$${storedKey.toString('base64')}:${serverKey.toString('base64')}`
  );
}

/** RFC 4013's mappings and NFKC, as PostgreSQL and node-postgres apply them before hashing (no prohibition checks). */
function saslprep(password: string): string {
  return (
    password
      .replace(/[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g, ' ')
      // Mapped to nothing: single code points, as RFC 3454 table B.1 lists them.
      // eslint-disable-next-line no-misleading-character-class -- single code points, not combined characters
      .replace(/[\u00AD\u034F\u1806\u180B\u180C\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g, '')
      .normalize('NFKC')
  );
}

/** The URL with its password replaced by `***`, for messages. */
export function maskedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return parsed.toString();
}
