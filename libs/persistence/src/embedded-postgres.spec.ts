import path from 'node:path';
import { ConfigError } from '@app/config';
import { canEnter } from './embedded-postgres.host';
import { embeddedPostgresConfig } from './embedded-postgres.config';

describe('canEnter', () => {
  const postgres = { uid: 101, gid: 104 };

  it('checks the owner bits for the owner', () => {
    expect(canEnter({ mode: 0o700, uid: 101, gid: 0 }, postgres)).toBe(true);
    expect(canEnter({ mode: 0o077, uid: 101, gid: 104 }, postgres)).toBe(false);
  });

  it('checks the group bits for the primary group', () => {
    expect(canEnter({ mode: 0o710, uid: 0, gid: 104 }, postgres)).toBe(true);
    expect(canEnter({ mode: 0o701, uid: 0, gid: 104 }, postgres)).toBe(false);
  });

  it('checks the other bits for everyone else', () => {
    expect(canEnter({ mode: 0o755, uid: 0, gid: 0 }, postgres)).toBe(true);
    expect(canEnter({ mode: 0o750, uid: 0, gid: 0 }, postgres)).toBe(false);
  });

  it('lets root in everywhere', () => {
    expect(canEnter({ mode: 0o700, uid: 5, gid: 5 }, { uid: 0, gid: 0 })).toBe(true);
  });
});

describe('embeddedPostgresConfig', () => {
  it('defaults to .data and port 54329', () => {
    expect(embeddedPostgresConfig({})).toEqual({ dataDir: path.resolve('.data'), port: 54329 });
  });

  it('reads DATA_DIR and EMBEDDED_PG_PORT', () => {
    expect(embeddedPostgresConfig({ DATA_DIR: '/var/tmp/fraud', EMBEDDED_PG_PORT: '6000' })).toEqual({
      dataDir: '/var/tmp/fraud',
      port: 6000,
    });
  });

  it('rejects a port out of range', () => {
    expect(() => embeddedPostgresConfig({ EMBEDDED_PG_PORT: '70000' })).toThrow(ConfigError);
  });
});
