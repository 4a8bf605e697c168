/**
 * What a service contributes to its database: the entity classes it maps and
 * the migrations that create their tables. Class lists only, never path globs.
 */
export interface ServiceDatabase {
  /** Lower-case service name: `registry`, `admin`, `carrier`. */
  service: string;
  entities: Function[];
  migrations: Function[];
}
