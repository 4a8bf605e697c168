/** What a login role may do on one table (nothing else is ever granted: no TRUNCATE, REFERENCES or TRIGGER). */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** SELECT, INSERT, UPDATE and DELETE: what the application role gets on a table unless the service says less. */
export const DML: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE'];

/**
 * A login role besides the application role, on a pool of its own, that may
 * touch only the tables listed (the registry's audit anchor writer).
 */
export interface ServiceRole {
  /** `anchor`: named in variables as `DATABASE_ANCHOR_URL`, `DATABASE_ANCHOR_ROLE`, and the data source's name. */
  name: string;
  /** The role name when none is configured, e.g. `fraud_audit_anchor`. */
  defaultRole: string;
  /** Its tables and what it may do there; it gets nothing on any other table. */
  privileges: Readonly<Record<string, readonly TablePrivilege[]>>;
  /** The entities its data source maps. */
  entities: PersistedClass[];
}

/** An entity or migration class, as TypeORM takes them (never a path glob). */
export type PersistedClass = new (...args: never[]) => unknown;

/**
 * What a service contributes to its database: the entity classes it maps and
 * the migrations that create their tables. Class lists only, never path globs.
 */
export interface ServiceDatabase {
  /** Lower-case service name: `registry`, `admin`, `carrier`. */
  service: string;
  entities: PersistedClass[];
  migrations: PersistedClass[];
  /**
   * Tables on which the application role may do less than SELECT, INSERT,
   * UPDATE and DELETE, e.g. the audit log (SELECT, INSERT). Every other table
   * of the service gets those four.
   */
  appPrivileges?: Readonly<Record<string, readonly TablePrivilege[]>>;
  /** Further login roles, each with its own pool. */
  roles?: ServiceRole[];
}
