import { ConfigError } from '@app/config';
import { derivedPassword, hasExplicitAppUrl, resolveDatabaseLogins, scramVerifier } from './database-logins';
import type { ServiceDatabase } from './service-database';

const registry: ServiceDatabase = {
  service: 'registry',
  entities: [],
  migrations: [],
  appPrivileges: { audit_event: ['SELECT', 'INSERT'] },
  roles: [
    {
      name: 'anchor',
      defaultRole: 'fraud_audit_anchor',
      privileges: { audit_anchor: ['SELECT', 'INSERT'] },
      entities: [],
    },
  ],
};
const owner = 'postgres://fraud:s%40cret@db.example:6543/fraud_registry?sslmode=require';

describe('resolveDatabaseLogins', () => {
  it('derives each login from the owner URL: own role, password from the owner’s, same server and database', () => {
    const [app, anchor] = resolveDatabaseLogins(registry, undefined, {}, owner);
    expect(app).toMatchObject({
      name: 'app',
      role: 'fraud_app',
      explicit: false,
      variable: 'REGISTRY_DATABASE_APP_URL',
    });
    const url = new URL(app.url);
    expect([url.username, url.hostname, url.port, url.pathname, url.search]).toEqual([
      'fraud_app',
      'db.example',
      '6543',
      '/fraud_registry',
      '?sslmode=require',
    ]);
    expect(decodeURIComponent(url.password)).toBe(derivedPassword(owner, 'fraud_app'));
    expect(app.password).toBe(derivedPassword(owner, 'fraud_app'));
    expect(anchor).toMatchObject({ name: 'anchor', role: 'fraud_audit_anchor', explicit: false });
    expect(anchor.password).not.toBe(app.password);
  });

  it('app role: DML on all tables but those listed, SELECT on migrations; other roles: only their own tables', () => {
    const [app, anchor] = resolveDatabaseLogins(registry, undefined, {}, owner);
    expect(app.tables).toEqual({ registry_migrations: ['SELECT'], audit_event: ['SELECT', 'INSERT'] });
    expect(app.otherTables).toEqual(['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
    expect(anchor.tables).toEqual({ audit_anchor: ['SELECT', 'INSERT'] });
    expect(anchor.otherTables).toEqual([]);
  });

  it('takes role names from DATABASE_APP_ROLE and DATABASE_ANCHOR_ROLE, refusing any but plain identifiers', () => {
    const [app, anchor] = resolveDatabaseLogins(
      registry,
      undefined,
      { DATABASE_APP_ROLE: 'svc_app', DATABASE_ANCHOR_ROLE: 'svc_anchor' },
      owner,
    );
    expect([app.role, anchor.role]).toEqual(['svc_app', 'svc_anchor']);
    expect(() => resolveDatabaseLogins(registry, undefined, { DATABASE_APP_ROLE: 'App"; DROP' }, owner)).toThrow(
      /DATABASE_APP_ROLE: .* is not a role name/,
    );
  });

  it('uses <SERVICE>_DATABASE_APP_URL as is, and DATABASE_APP_URL on the service database', () => {
    const own = 'postgres://svc:pw@other:5432/fraud_registry';
    expect(resolveDatabaseLogins(registry, undefined, { REGISTRY_DATABASE_APP_URL: own }, owner)[0]).toMatchObject({
      url: own,
      role: 'svc',
      password: 'pw',
      explicit: true,
    });
    const [app] = resolveDatabaseLogins(
      registry,
      undefined,
      { DATABASE_APP_URL: 'postgres://svc:p%2Fw@pool.example:6432/postgres' },
      owner,
    );
    expect(app).toMatchObject({
      url: 'postgres://svc:p%2Fw@pool.example:6432/fraud_registry',
      role: 'svc',
      password: 'p/w',
      explicit: true,
    });
    const carrier = resolveDatabaseLogins(
      { ...registry, service: 'carrier', roles: [] },
      'CMCC',
      { DATABASE_APP_URL: 'postgres://svc@h/x' },
      undefined,
    );
    expect(carrier[0].url).toBe('postgres://svc@h/fraud_carrier_cmcc');
  });

  it('refuses an app URL with no user, on another database or as the owner, never echoing a password', () => {
    const resolve = (env: Record<string, string>) => () => resolveDatabaseLogins(registry, undefined, env, owner);
    expect(resolve({ REGISTRY_DATABASE_APP_URL: 'postgres://:pw-secret@h/fraud_registry' })).toThrow(
      /REGISTRY_DATABASE_APP_URL: names no user/,
    );
    expect(resolve({ REGISTRY_DATABASE_APP_URL: 'postgres://svc:pw-secret@h/elsewhere' })).toThrow(
      /names database "elsewhere", but the owner's URL names "fraud_registry"/,
    );
    expect(resolve({ REGISTRY_DATABASE_APP_URL: 'postgres://fraud:pw-secret@h/fraud_registry' })).toThrow(
      /connects as "fraud", the owner of the tables/,
    );
    expect(resolve({ REGISTRY_DATABASE_APP_URL: 'not a url pw-secret' })).toThrow(/is not a valid URL/);
    expect(
      resolve({
        DATABASE_APP_URL: 'postgres://same:pw-secret@h/x',
        DATABASE_ANCHOR_URL: 'postgres://same:pw-secret@h/x',
      }),
    ).toThrow(/both use role "same"/);
    for (const env of [
      { REGISTRY_DATABASE_APP_URL: 'postgres://:pw-secret@h/x' },
      { REGISTRY_DATABASE_APP_URL: 'not a url pw-secret' },
    ]) {
      expect(resolve(env)).toThrow(ConfigError);
      expect(resolve(env)).not.toThrow(/pw-secret/);
    }
  });

  it("without the owner's URL, every login must be given", () => {
    expect(() =>
      resolveDatabaseLogins(registry, undefined, { DATABASE_APP_URL: 'postgres://svc@h/x' }, undefined),
    ).toThrow(/REGISTRY_DATABASE_ANCHOR_URL: or DATABASE_ANCHOR_URL is required/);
    expect(hasExplicitAppUrl(registry, undefined, { DATABASE_APP_URL: 'postgres://svc@h/x' })).toBe(true);
    expect(hasExplicitAppUrl(registry, undefined, { DATABASE_URL: owner })).toBe(false);
  });

  it('an owner without a password (trust auth) gives passwordless roles, refused in production', () => {
    const trust = 'postgres://postgres@127.0.0.1:5432/fraud_registry';
    const [app] = resolveDatabaseLogins(registry, undefined, {}, trust);
    expect(app).toMatchObject({ url: 'postgres://fraud_app@127.0.0.1:5432/fraud_registry', password: undefined });
    expect(() => resolveDatabaseLogins(registry, undefined, { NODE_ENV: 'production' }, trust)).toThrow(
      /DATABASE_APP_URL: is required in production when the owner's URL carries no password/,
    );
  });
});

describe('scramVerifier', () => {
  it('is the SCRAM-SHA-256 verifier PostgreSQL stores (RFC 7677 construction)', () => {
    // Same password and salt, same verifier; the password itself never appears.
    const salt = Buffer.from('0123456789abcdef');
    const verifier = scramVerifier('pencil', salt);
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:MDEyMzQ1Njc4OWFiY2RlZg==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(scramVerifier('pencil', salt)).toBe(verifier);
    expect(verifier).not.toContain('pencil');
  });
});
