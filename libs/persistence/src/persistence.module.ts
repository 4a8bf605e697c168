import { Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { ConfigError, ENV, type Env } from '@app/config';
import { ServiceHealth } from '@app/observability';
import { dataSourceOptions } from './data-source-options';
import { DatabaseProbe, probeSettings } from './database-probe';
import { APP_LOGIN, hasExplicitAppUrl, resolveDatabaseLogins, type DatabaseLogin } from './database-logins';
import { assertLeastPrivilege, pendingMigrations } from './database-roles';
import { databaseNameFor, databaseUrlOnServer, databaseUrlVariable, resolveDatabaseUrl } from './database-url';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres';
import { embeddedPostgresConfig } from './embedded-postgres.config';
import { errorCode } from './ensure-database';
import { runMigrations } from './migrations';
import type { ServiceDatabase } from './service-database';
import { installTransactionGuard } from './transaction-guard';

export interface PersistenceOptions {
  /** Carrier instance (`CMCC`): selects `fraud_carrier_cmcc` and `CARRIER_CMCC_DATABASE_URL`. */
  instance?: string;
}

const RETRIED_CONNECTION_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P03',
]);
/** A service role's pool: its work is small (the registry's anchor: one insert a minute). */
const ROLE_POOL_SIZE = 2;

/**
 * How this process reaches its database: the logins its pools use (never the
 * owner), and the embedded server it started when none was configured.
 */
export class DatabaseConnection {
  constructor(
    private readonly logins: readonly DatabaseLogin[],
    readonly embedded?: EmbeddedServer,
  ) {}

  /** The application role's URL: the service's main pool. */
  get url(): string {
    return this.login(APP_LOGIN).url;
  }

  login(name: string): DatabaseLogin {
    const login = this.logins.find((l) => l.name === name);
    if (!login) throw new Error(`no database login named ${name}`);
    return login;
  }

  /**
   * With the owner's URL (`<SERVICE>_DATABASE_URL`, `DATABASE_URL`, or the
   * embedded server): migrations, roles and grants as the owner. With only the
   * application's URL: the schema must be up to date already. Either way every
   * login is checked to be unable to alter the tables before it is used.
   */
  static async open(
    db: ServiceDatabase,
    options: PersistenceOptions,
    env: Env,
    logger: Logger,
  ): Promise<DatabaseConnection> {
    const configured = resolveDatabaseUrl(db.service, options.instance, env);
    if (configured === undefined && hasExplicitAppUrl(db, options.instance, env)) {
      const logins = resolveDatabaseLogins(db, options.instance, env, undefined);
      await assertMigrated(db, options.instance, logins[0]);
      for (const login of logins) await assertLeastPrivilege(login);
      return new DatabaseConnection(logins);
    }
    const embedded = configured === undefined ? await startEmbedded(env, logger) : undefined;
    const ownerUrl = configured ?? databaseUrlOnServer(embedded!.serverUrl, db.service, options.instance);
    try {
      const applied = await runMigrations(ownerUrl, db, options.instance, env, (message) => logger.log(message));
      if (applied.length > 0) logger.log(`applied migrations ${applied.join(', ')}`);
      const logins = resolveDatabaseLogins(db, options.instance, env, ownerUrl);
      for (const login of logins) await assertLeastPrivilege(login);
      logger.log(
        `serving as database role ${logins.map((l) => `${l.role} (${l.name})`).join(', ')} ` +
          `on ${databaseNameFor(db.service, options.instance)}`,
      );
      return new DatabaseConnection(logins, embedded);
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
  }
}

async function assertMigrated(db: ServiceDatabase, instance: string | undefined, app: DatabaseLogin): Promise<void> {
  const pending = await pendingMigrations(app, `${db.service}_migrations`, db.migrations);
  if (pending.length === 0) return;
  throw new ConfigError(
    databaseUrlVariable(db.service, instance),
    `is not set (nor DATABASE_URL), and ${pending.length} migration(s) have not run ` +
      `on the service's database: ${pending.join(', ')}. ` +
      "Run npm run migrate with the owner's URL first, or give the service the owner's URL",
  );
}

async function startEmbedded(env: Env, logger: Logger): Promise<EmbeddedServer> {
  logger.log('DATABASE_URL is not set: using the embedded PostgreSQL');
  return startEmbeddedPostgres({ ...embeddedPostgresConfig(env), log: (message) => logger.log(message) });
}

class EmbeddedServerShutdown implements OnApplicationShutdown {
  constructor(
    private readonly connection: DatabaseConnection,
    private readonly dataSources: DataSource[],
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const server = this.connection.embedded;
    if (!server) return;
    // Close the pools before their server goes, whichever module's hook runs first.
    for (const dataSource of this.dataSources) if (dataSource.isInitialized) await dataSource.destroy();
    await server.stop();
  }
}

@Module({})
class DatabaseConnectionModule {}

@Module({})
export class PersistenceModule {
  /**
   * The service's TypeORM data sources: the default one as the application
   * role, and one per ServiceRole (named after it, e.g. `anchor`). Before they
   * open, the owner (`<SERVICE>_DATABASE_URL`, `DATABASE_URL` or the embedded
   * server) creates the database if missing, runs pending migrations and
   * grants the roles their privileges.
   * A query outside its transaction's manager inside a transaction throws
   * (installTransactionGuard). Its settings are the app's variables (ENV).
   */
  static forService(db: ServiceDatabase, options: PersistenceOptions = {}): DynamicModule {
    installTransactionGuard();
    const logger = new Logger('Persistence');
    const roles = db.roles ?? [];
    // One object, imported by every data source below: one connection set-up per app.
    const connection: DynamicModule = {
      module: DatabaseConnectionModule,
      providers: [
        {
          provide: DatabaseConnection,
          inject: [ENV],
          useFactory: (env: Env) => DatabaseConnection.open(db, options, env, logger),
        },
      ],
      exports: [DatabaseConnection],
    };
    const retry = (error: unknown) => RETRIED_CONNECTION_ERRORS.has(errorCode(error) ?? '');
    return {
      module: PersistenceModule,
      imports: [
        connection,
        TypeOrmModule.forRootAsync({
          imports: [connection],
          inject: [DatabaseConnection, ENV],
          useFactory: (c: DatabaseConnection, env: Env): TypeOrmModuleOptions => ({
            ...dataSourceOptions(c.url, db, options.instance, env),
            toRetry: retry,
          }),
        }),
        ...roles.map((role) =>
          TypeOrmModule.forRootAsync({
            name: role.name,
            imports: [connection],
            inject: [DatabaseConnection, ENV],
            useFactory: (c: DatabaseConnection, env: Env): TypeOrmModuleOptions => ({
              ...dataSourceOptions(
                c.login(role.name).url,
                { service: db.service, entities: role.entities, migrations: [] },
                options.instance,
                env,
              ),
              applicationName: `${databaseNameFor(db.service, options.instance)}_${role.name}`,
              poolSize: ROLE_POOL_SIZE,
              toRetry: retry,
            }),
          }),
        ),
      ],
      providers: [
        {
          // Only in an app that tells operators about its health (MetricsModule's ServiceHealth).
          provide: DatabaseProbe,
          inject: [DatabaseConnection, ENV, { token: ServiceHealth, optional: true }],
          useFactory: (c: DatabaseConnection, env: Env, health: ServiceHealth | undefined) =>
            health
              ? new DatabaseProbe(
                  c.url,
                  health,
                  probeSettings(env),
                  `${databaseNameFor(db.service, options.instance)}_health`,
                )
              : undefined,
        },
        {
          provide: EmbeddedServerShutdown,
          inject: [DatabaseConnection, getDataSourceToken(), ...roles.map((role) => getDataSourceToken(role.name))],
          useFactory: (c: DatabaseConnection, ...dataSources: DataSource[]) =>
            new EmbeddedServerShutdown(c, dataSources),
        },
      ],
      exports: [connection],
    };
  }
}
