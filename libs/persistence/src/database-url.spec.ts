import { ConfigError } from '@app/config';
import { databaseNameFor, databaseOf, databaseUrlVariable, resolveDatabaseUrl, urlWithDatabase } from './database-url';

describe('databaseNameFor', () => {
  it('prefixes the service', () => {
    expect(databaseNameFor('registry')).toBe('fraud_registry');
    expect(databaseNameFor('admin')).toBe('fraud_admin');
  });

  it('appends the lower-cased instance', () => {
    expect(databaseNameFor('carrier', 'CMCC')).toBe('fraud_carrier_cmcc');
  });

  it.each(['CM-CC', 'cm cc', '', 'ü'])('rejects instance %p', (instance) => {
    expect(() => databaseNameFor('carrier', instance)).toThrow(ConfigError);
  });

  it('rejects names longer than a PostgreSQL identifier', () => {
    expect(() => databaseNameFor('carrier', 'x'.repeat(60))).toThrow(/longer than 63/);
  });
});

describe('databaseUrlVariable', () => {
  it('upper-cases service and instance', () => {
    expect(databaseUrlVariable('registry')).toBe('REGISTRY_DATABASE_URL');
    expect(databaseUrlVariable('carrier', 'cmcc')).toBe('CARRIER_CMCC_DATABASE_URL');
  });
});

describe('resolveDatabaseUrl', () => {
  const server = 'postgres://app:s%40cret@db.example:6543/postgres?sslmode=require&application_name=x';

  it('uses the service variable as-is', () => {
    const own = 'postgresql://u:p@other:5432/anything?ssl=true';
    expect(resolveDatabaseUrl('registry', undefined, { REGISTRY_DATABASE_URL: own, DATABASE_URL: server })).toBe(own);
  });

  it('uses the instance variable for a carrier', () => {
    const own = 'postgres://u@h/cmcc_db';
    const env = { CARRIER_CMCC_DATABASE_URL: own, CARRIER_DATABASE_URL: 'postgres://u@h/wrong' };
    expect(resolveDatabaseUrl('carrier', 'cmcc', env)).toBe(own);
  });

  it('puts the service database on the DATABASE_URL server, keeping credentials, port and parameters', () => {
    expect(resolveDatabaseUrl('carrier', 'CMCC', { DATABASE_URL: server })).toBe(
      'postgres://app:s%40cret@db.example:6543/fraud_carrier_cmcc?sslmode=require&application_name=x',
    );
  });

  it('adds a database to a server URL without a path', () => {
    expect(resolveDatabaseUrl('admin', undefined, { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432' })).toBe(
      'postgres://postgres@127.0.0.1:5432/fraud_admin',
    );
  });

  it('treats empty variables as unset', () => {
    expect(
      resolveDatabaseUrl('registry', undefined, { REGISTRY_DATABASE_URL: '', DATABASE_URL: 'postgres://h/x' }),
    ).toBe('postgres://h/fraud_registry');
  });

  it('returns undefined without any variable: the embedded server', () => {
    expect(resolveDatabaseUrl('registry', undefined, {})).toBeUndefined();
  });

  it('names the variable of an invalid URL without echoing its value', () => {
    const resolve = () => resolveDatabaseUrl('registry', undefined, { DATABASE_URL: 'not a url s3cret' });
    expect(resolve).toThrow(ConfigError);
    expect(resolve).toThrow(/DATABASE_URL: is not a valid URL/);
    expect(resolve).not.toThrow(/s3cret/);
  });

  it('rejects a non-postgres service URL', () => {
    expect(() => resolveDatabaseUrl('registry', undefined, { REGISTRY_DATABASE_URL: 'mysql://u@h/db' })).toThrow(
      /REGISTRY_DATABASE_URL: must start with postgres:\/\//,
    );
  });
});

describe('urlWithDatabase / databaseOf', () => {
  it('round-trips a database name', () => {
    const url = urlWithDatabase('postgres://u:p@h:1/postgres?x=1', 't_label_ab12');
    expect(url).toBe('postgres://u:p@h:1/t_label_ab12?x=1');
    expect(databaseOf(url)).toBe('t_label_ab12');
  });

  it('requires a database in the URL', () => {
    expect(() => databaseOf('postgres://u@h:1')).toThrow(/names no database/);
  });
});
