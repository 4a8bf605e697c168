import type { Env } from '@app/config';
import {
  databaseNameFor,
  databaseUrlOnServer,
  embeddedPostgresConfig,
  resolveDatabaseUrl,
  runMigrations,
  startEmbeddedPostgres,
  type EmbeddedServer,
  type ServiceDatabase,
} from '@app/persistence';
import { adminDatabase } from '../apps/admin/src/database';
import { carrierDatabase } from '../apps/carrier/src/database';
import { registryDatabase } from '../apps/registry/src/database';
import { carrierIdsOf } from './carrier-ids';

export interface MigrationTarget {
  db: ServiceDatabase;
  instance?: string;
}

/** registry, admin, and one carrier database per id in `CARRIER_IDS`. */
export function migrationTargets(env: Env = process.env): MigrationTarget[] {
  return [
    { db: registryDatabase },
    { db: adminDatabase },
    ...carrierIdsOf(env).map((instance) => ({ db: carrierDatabase, instance })),
  ];
}

/**
 * Applies pending migrations everywhere as the owner, then makes sure each
 * service's login roles exist and grants them their privileges; the embedded
 * server is started once, only if some database needs it.
 */
export async function migrateAll(env: Env = process.env, print: (line: string) => void = console.log): Promise<void> {
  let embedded: EmbeddedServer | undefined;
  const urlOf = async ({ db, instance }: MigrationTarget): Promise<string> => {
    const configured = resolveDatabaseUrl(db.service, instance, env);
    if (configured !== undefined) return configured;
    embedded ??= await startEmbeddedPostgres({ ...embeddedPostgresConfig(env), log: print });
    return databaseUrlOnServer(embedded.serverUrl, db.service, instance);
  };
  try {
    for (const target of migrationTargets(env)) {
      const name = databaseNameFor(target.db.service, target.instance);
      const applied = await runMigrations(await urlOf(target), target.db, target.instance, env, (message) =>
        print(`${name}: ${message}`),
      );
      print(`${name}: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
    }
  } finally {
    await embedded?.stop();
  }
}
