import { ConfigError } from '@app/config';
import { dataSourceOptions } from './data-source-options';

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
});
