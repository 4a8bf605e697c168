import { ConfigError } from '@app/config';
import { dataSourceOptions, migrationDataSourceOptions } from './data-source-options';

class Thing {}
class CreateThing1700000000000 {}
const db = { service: 'carrier', entities: [Thing], migrations: [CreateThing1700000000000] };

describe('dataSourceOptions', () => {
  it('runs on migrations only, with one migrations table per service', () => {
    const options = dataSourceOptions('postgres://h/fraud_carrier_cmcc', db, 'CMCC', {});
    expect(options).toMatchObject({
      type: 'postgres',
      url: 'postgres://h/fraud_carrier_cmcc',
      synchronize: false,
      migrationsRun: false,
      migrationsTableName: 'carrier_migrations',
      entities: [Thing],
      migrations: [CreateThing1700000000000],
      applicationName: 'fraud_carrier_cmcc',
      poolSize: 10,
    });
  });

  it('takes the pool size from DATABASE_POOL_SIZE', () => {
    expect(dataSourceOptions('postgres://h/x', db, undefined, { DATABASE_POOL_SIZE: '3' }).poolSize).toBe(3);
    expect(() => dataSourceOptions('postgres://h/x', db, undefined, { DATABASE_POOL_SIZE: '0' })).toThrow(ConfigError);
  });

  it('gives every session a statement and an idle-in-transaction timeout; bounds the wait for a connection', () => {
    expect(dataSourceOptions('postgres://h/x', db, undefined, {})).toMatchObject({
      connectTimeoutMS: 30_000,
      extra: { statement_timeout: 60_000, idle_in_transaction_session_timeout: 60_000 },
    });
    const env = {
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '7000',
      DATABASE_CONNECTION_TIMEOUT_MS: '900',
    };
    expect(dataSourceOptions('postgres://h/x', db, undefined, env)).toMatchObject({
      connectTimeoutMS: 900,
      extra: { statement_timeout: 5000, idle_in_transaction_session_timeout: 7000 },
    });
  });

  it('refuses a pool without a timeout', () => {
    for (const name of [
      'DATABASE_STATEMENT_TIMEOUT_MS',
      'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
      'DATABASE_CONNECTION_TIMEOUT_MS',
    ]) {
      expect(() => dataSourceOptions('postgres://h/x', db, undefined, { [name]: '0' })).toThrow(
        new RegExp(`${name}: 0 is outside`),
      );
    }
  });

  it('lets migrations run as long as they need unless DATABASE_MIGRATION_STATEMENT_TIMEOUT_MS says otherwise', () => {
    expect(migrationDataSourceOptions('postgres://h/x', db, undefined, {}).extra).toEqual({
      statement_timeout: 0,
      idle_in_transaction_session_timeout: 60_000,
    });
    expect(
      migrationDataSourceOptions('postgres://h/x', db, undefined, {
        DATABASE_MIGRATION_STATEMENT_TIMEOUT_MS: '3600000',
      }).extra,
    ).toMatchObject({ statement_timeout: 3_600_000 });
  });
});
