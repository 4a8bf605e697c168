import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@app/config';
import { RoleKind } from '../auth/roles';
import { verifyToken } from '../auth/token';
import { fileToken, mintedToken, MINTED_TOKEN_TTL_SECONDS } from './service-token';

describe(fileToken.name, () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'peer-token-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the token, and again whenever the file changes', () => {
    const file = join(dir, 'registry.token');
    writeFileSync(file, 'first-token\n');
    const token = fileToken(file, 'REGISTRY_TOKEN_FILE');
    expect(token()).toBe('first-token');
    writeFileSync(file, 'second-token-rotated\n');
    expect(token()).toBe('second-token-rotated');
  });

  it('keeps the last token while the file is gone or empty (mid-rotation), and says so once', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const file = join(dir, 'registry.token');
    writeFileSync(file, 'good-token');
    const token = fileToken(file, 'REGISTRY_TOKEN_FILE');
    unlinkSync(file);
    expect([token(), token()]).toEqual(['good-token', 'good-token']);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    writeFileSync(file, '');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect(token()).toBe('good-token');
  });

  it('refuses at start-up a file that is missing or empty, naming the variable', () => {
    expect(() => fileToken(join(dir, 'absent'), 'ADMIN_TOKEN_FILE')).toThrow(ConfigError);
    expect(() => fileToken(join(dir, 'absent'), 'ADMIN_TOKEN_FILE')).toThrow(/ADMIN_TOKEN_FILE: cannot read/);
    writeFileSync(join(dir, 'empty'), '\n');
    expect(() => fileToken(join(dir, 'empty'), 'REGISTRY_TOKEN_FILE')).toThrow(/REGISTRY_TOKEN_FILE: .*empty is empty/);
  });
});

describe(mintedToken.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');

  it('signs a carrier:<ID> token the registry verifies, and reuses it while it is fresh', () => {
    let now = 1_764_400_000;
    const token = mintedToken({ subject: 'carrier-ctcc', role: 'carrier:CTCC' }, privateKey, () => now);
    const first = token();
    expect(verifyToken(first, publicKey, now)).toEqual({
      subject: 'carrier-ctcc',
      role: 'carrier:CTCC',
      kind: RoleKind.Carrier,
      scope: 'CTCC',
      expiresAt: now + MINTED_TOKEN_TTL_SECONDS,
    });
    now += MINTED_TOKEN_TTL_SECONDS / 2;
    expect(token()).toBe(first);
  });

  it('renews it in its last quarter, before it expires', () => {
    let now = 1_764_400_000;
    const token = mintedToken({ subject: 'carrier-cmcc', role: 'carrier:CMCC' }, privateKey, () => now);
    const first = token();
    now += (MINTED_TOKEN_TTL_SECONDS * 3) / 4;
    const renewed = token();
    expect(renewed).not.toBe(first);
    now += MINTED_TOKEN_TTL_SECONDS - 60;
    expect(verifyToken(renewed, publicKey, now).role).toBe('carrier:CMCC');
  });
});
