import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource, TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Env } from '@app/config';
import { dataSourceOptions } from './data-source-options';
import { databaseNameFor, databaseUrlOnServer, resolveDatabaseUrl } from './database-url';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded-postgres';
import { embeddedPostgresConfig } from './embedded-postgres.config';
import { ensureDatabase, errorCode } from './ensure-database';
import type { ServiceDatabase } from './service-database';
import { installTransactionGuard } from './transaction-guard';

export interface PersistenceOptions {
  /** Carrier instance (`CMCC`): selects `fraud_carrier_cmcc` and `CARRIER_CMCC_DATABASE_URL`. */
  instance?: string;
  /** Defaults to `process.env`. */
  env?: Env;
}

const RETRIED_CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P03']);

/** This process's database URL, and the embedded server it started when none was configured. */
export class DatabaseConnection {
  constructor(
    readonly url: string,
    readonly embedded?: EmbeddedServer,
  ) {}

  static async open(db: ServiceDatabase, options: PersistenceOptions, logger: Logger): Promise<DatabaseConnection> {
    const env = options.env ?? process.env;
    const configured = resolveDatabaseUrl(db.service, options.instance, env);
    const embedded = configured === undefined ? await startEmbedded(env, logger) : undefined;
    const url = configured ?? databaseUrlOnServer(embedded!.serverUrl, db.service, options.instance);
    try {
      if (await ensureDatabase(url)) logger.log(`created database ${databaseNameFor(db.service, options.instance)}`);
    } catch (error) {
      await embedded?.stop();
      throw error;
    }
    return new DatabaseConnection(url, embedded);
  }
}

async function startEmbedded(env: Env, logger: Logger): Promise<EmbeddedServer> {
  logger.log('DATABASE_URL is not set: using the embedded PostgreSQL');
  return startEmbeddedPostgres({ ...embeddedPostgresConfig(env), log: (message) => logger.log(message) });
}

@Injectable()
class EmbeddedServerShutdown implements OnApplicationShutdown {
  constructor(
    @Inject(DatabaseConnection) private readonly connection: DatabaseConnection,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    const server = this.connection.embedded;
    if (!server) return;
    // Close the pool before its server goes, whichever module's hook runs first.
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await server.stop();
  }
}

@Module({})
export class PersistenceModule {
  /**
   * The service's TypeORM data source: from `<SERVICE>_DATABASE_URL`,
   * `DATABASE_URL` or the embedded server; database created if missing,
   * pending migrations run before the app starts. A query outside its
   * transaction's manager inside a transaction throws (installTransactionGuard).
   */
  static forService(db: ServiceDatabase, options: PersistenceOptions = {}): DynamicModule {
    installTransactionGuard();
    const logger = new Logger('Persistence');
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          extraProviders: [
            { provide: DatabaseConnection, useFactory: () => DatabaseConnection.open(db, options, logger) },
            EmbeddedServerShutdown,
          ],
          inject: [DatabaseConnection],
          useFactory: (connection: DatabaseConnection): TypeOrmModuleOptions => ({
            ...dataSourceOptions(connection.url, db, options.instance, options.env),
            migrationsRun: true,
            toRetry: (error: unknown) => RETRIED_CONNECTION_ERRORS.has(errorCode(error) ?? ''),
          }),
        }),
      ],
    };
  }
}
