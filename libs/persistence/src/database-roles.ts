import { Client } from 'pg';
import { ConfigError } from '@app/config';
import { scramVerifier, type DatabaseLogin } from './database-logins';
import { errorCode, withMaintenanceClient } from './ensure-database';
import type { PersistedClass, TablePrivilege } from './service-database';

/**
 * Roles are cluster-wide: one creation at a time across every service and test worker
 * (on the maintenance database).
 */
const ROLE_LOCK_KEY = 727_002;

const INVALID_PASSWORD = '28P01';
const INVALID_AUTHORIZATION = '28000';
const INSUFFICIENT_PRIVILEGE = '42501';
const DUPLICATE_OBJECT = '42710';
const UNDEFINED_TABLE = '42P01';

/** Relation kinds that take table privileges: tables, partitioned tables, views, materialized views, foreign tables. */
const TABLE_KINDS = `('r', 'p', 'v', 'm', 'f')`;

/**
 * Makes sure `login` can log in, run by the owner: when it cannot, the role is
 * created (or its password reset to the configured one) under a cluster-wide
 * lock, which needs an owner with CREATEROLE. A role that logs in already is
 * left alone, so starts need no CREATEROLE once the roles exist.
 */
export async function ensureLoginRole(
  ownerUrl: string,
  login: DatabaseLogin,
  log: (message: string) => void,
): Promise<void> {
  if (await canLogIn(login)) return;
  await withMaintenanceClient(ownerUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [ROLE_LOCK_KEY]);
    try {
      // Another process may have made it while this one waited for the lock.
      if (await canLogIn(login)) return;
      const [owner] = (
        await client.query<{ name: string; manages: boolean }>(
          'SELECT rolname AS name, rolsuper OR rolcreaterole AS manages FROM pg_roles WHERE rolname = current_user',
        )
      ).rows;
      if (!owner?.manages) {
        throw new ConfigError(
          login.variable,
          `the ${login.name} login (role "${login.role}") cannot log in, ` +
            `and the owner "${owner?.name}" may not create roles (no CREATEROLE): ` +
            `create the role as in libs/persistence/README.md, or set ${login.variable}`,
        );
      }
      const password =
        login.password === undefined ? '' : ` PASSWORD ${client.escapeLiteral(scramVerifier(login.password))}`;
      const role = client.escapeIdentifier(login.role);
      const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [login.role])).rowCount;
      if (exists) {
        // Only LOGIN and the password: attributes such as SUPERUSER are for a superuser to change,
        // and the check at start refuses them.
        await client.query(`ALTER ROLE ${role} WITH LOGIN${password}`);
        log(`reset the password of database role ${login.role} (the ${login.name} login)`);
        return;
      }
      try {
        await client.query(
          `CREATE ROLE ${role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS${password}`,
        );
        log(`created database role ${login.role} (the ${login.name} login)`);
      } catch (error) {
        if (errorCode(error) !== DUPLICATE_OBJECT) throw error;
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROLE_LOCK_KEY]);
    }
  });
  if (!(await canLogIn(login))) {
    throw new ConfigError(
      login.variable,
      `role "${login.role}" still cannot log in after it was set up: check pg_hba.conf for it`,
    );
  }
}

/** Whether the login's credentials are accepted (lacking CONNECT on the database counts as yes: the grants give it). */
async function canLogIn(login: DatabaseLogin): Promise<boolean> {
  const client = new Client({ connectionString: login.url, connectionTimeoutMillis: 10_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === INSUFFICIENT_PRIVILEGE) return true;
    if (code === INVALID_PASSWORD || code === INVALID_AUTHORIZATION) return false;
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Grants each login exactly its privileges on the service's tables, run by the
 * owner after every migration run: everything it had is revoked and the listed
 * privileges granted again, in one transaction, so new tables get theirs and a
 * privilege taken away from the list is gone too. Sequences: USAGE and SELECT
 * on those of tables it may insert into. The schema: USAGE, never CREATE.
 */
export async function applyGrants(owner: Client, logins: readonly DatabaseLogin[]): Promise<void> {
  await owner.query('BEGIN');
  try {
    const [{ database, schema }] = (
      await owner.query<{ database: string; schema: string }>(
        'SELECT current_database() AS database, current_schema() AS schema',
      )
    ).rows;
    const tables = (
      await owner.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c
         WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ${TABLE_KINDS} ORDER BY 1`,
      )
    ).rows.map((r) => r.name);
    // A sequence serves the table whose column owns it (serial, identity); a free-standing one, anyone who inserts.
    const sequences = (
      await owner.query<{ name: string; table: string | null }>(
        `SELECT s.relname AS name, t.relname AS table
       FROM pg_class s
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid
         AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class t ON t.oid = d.refobjid
       WHERE s.relkind = 'S' AND s.relnamespace = current_schema()::regnamespace ORDER BY 1`,
      )
    ).rows;
    const ident = (name: string) => owner.escapeIdentifier(name);
    for (const login of logins) {
      const role = ident(login.role);
      const may = (table: string): readonly TablePrivilege[] => login.tables[table] ?? login.otherTables;
      const granted = await owner.query<{ connect: boolean; usage: boolean; create: boolean }>(
        `SELECT has_database_privilege($1, current_database(), 'CONNECT') AS connect,
                has_schema_privilege($1, current_schema(), 'USAGE') AS usage,
                has_schema_privilege($1, current_schema(), 'CREATE') AS create`,
        [login.role],
      );
      const { connect, usage, create } = granted.rows[0];
      if (!connect) await owner.query(`GRANT CONNECT ON DATABASE ${ident(database)} TO ${role}`);
      if (!usage) await owner.query(`GRANT USAGE ON SCHEMA ${ident(schema)} TO ${role}`);
      // PostgreSQL before 15 lets PUBLIC create in the public schema.
      if (create) await owner.query(`REVOKE CREATE ON SCHEMA ${ident(schema)} FROM PUBLIC, ${role}`);
      await owner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${ident(schema)} FROM ${role}`);
      await owner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${ident(schema)} FROM ${role}`);
      for (const table of tables) {
        const privileges = may(table);
        if (privileges.length > 0)
          await owner.query(`GRANT ${privileges.join(', ')} ON TABLE ${ident(table)} TO ${role}`);
      }
      for (const sequence of sequences) {
        const inserts =
          sequence.table === null ? login.otherTables.includes('INSERT') : may(sequence.table).includes('INSERT');
        if (inserts) await owner.query(`GRANT USAGE, SELECT ON SEQUENCE ${ident(sequence.name)} TO ${role}`);
      }
    }
    await owner.query('COMMIT');
  } catch (error) {
    await owner.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Refuses a login that could change the tables rather than only their rows:
 * a superuser, a role that may create roles, or one that owns (or is a member
 * of the owner of) a table or the schema, any of which can ALTER or DROP
 * tables and their triggers. Run connected as the login itself.
 */
export async function assertLeastPrivilege(login: DatabaseLogin): Promise<void> {
  const client = new Client({ connectionString: login.url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const [role] = (
      await client.query<{ superuser: boolean; createrole: boolean; schema_owner: boolean }>(
        `SELECT r.rolsuper AS superuser, r.rolcreaterole AS createrole,
              pg_has_role(current_user, n.nspowner, 'MEMBER') AS schema_owner
       FROM pg_roles r, pg_namespace n WHERE r.rolname = current_user AND n.oid = current_schema()::regnamespace`,
      )
    ).rows;
    const owned = (
      await client.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ${TABLE_KINDS}
         AND pg_has_role(current_user, c.relowner, 'MEMBER')
       ORDER BY 1 LIMIT 3`,
      )
    ).rows.map((r) => r.name);
    const why = role.superuser
      ? 'is a superuser'
      : role.createrole
        ? 'may create roles (CREATEROLE)'
        : role.schema_owner
          ? 'owns the schema (or the database, which owns the public schema)'
          : owned.length > 0
            ? `owns table ${owned.map((name) => `"${name}"`).join(', ')} (or is a member of its owner)`
            : undefined;
    if (why !== undefined) {
      throw new ConfigError(
        login.explicit ? login.variable : `DATABASE_${login.name.toUpperCase()}_ROLE`,
        `the ${login.name} login, role "${login.role}", ${why}: it could alter or drop tables and their triggers; ` +
          'give it a role of its own with none of these rights',
      );
    }
  } finally {
    await client.end();
  }
}

/**
 * Names of the service's migrations not yet recorded in `<service>_migrations`, read as `login`
 * (the app role may read that table).
 */
export async function pendingMigrations(
  login: DatabaseLogin,
  migrationsTable: string,
  migrations: readonly PersistedClass[],
): Promise<string[]> {
  const client = new Client({ connectionString: login.url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    let applied: Set<string>;
    try {
      applied = new Set(
        (await client.query<{ name: string }>(`SELECT name FROM ${client.escapeIdentifier(migrationsTable)}`)).rows.map(
          (r) => r.name,
        ),
      );
    } catch (error) {
      if (errorCode(error) !== UNDEFINED_TABLE) throw error;
      applied = new Set();
    }
    return migrations.map(migrationName).filter((name) => !applied.has(name));
  } finally {
    await client.end();
  }
}

/** TypeORM's name of a migration: its `name` property, else its class name. */
export function migrationName(migration: PersistedClass): string {
  const instance = new (migration as new () => { name?: string })();
  return instance.name ?? migration.name;
}
