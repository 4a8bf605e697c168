import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/config';
import { loadNationalIdHashKey, NATIONAL_ID_KEY_FILE } from './national-id-key';

describe(loadNationalIdHashKey.name, () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'national-id-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('generates a key once in AUTH_KEY_DIR (mode 0600) and reads the same one afterwards', () => {
    const keys = join(dir, 'keys');
    const first = loadNationalIdHashKey({ AUTH_KEY_DIR: keys });
    expect(first.length).toBeGreaterThanOrEqual(32);
    const file = join(keys, NATIONAL_ID_KEY_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    expect(loadNationalIdHashKey({ AUTH_KEY_DIR: keys })).toEqual(first);
  });

  it('falls back to <DATA_DIR>/keys', () => {
    loadNationalIdHashKey({ DATA_DIR: dir });
    expect(readFileSync(join(dir, 'keys', NATIONAL_ID_KEY_FILE), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });

  it('uses NATIONAL_ID_HASH_KEY_FILE when set, ignoring surrounding whitespace', () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `  ${'s'.repeat(40)}\n`);
    expect(loadNationalIdHashKey({ NATIONAL_ID_HASH_KEY_FILE: file, NODE_ENV: 'production' })).toEqual(
      Buffer.from('s'.repeat(40)),
    );
  });

  it('refuses a missing or short key file, and a production start without the variable', () => {
    const file = join(dir, 'secret');
    expect(() => loadNationalIdHashKey({ NATIONAL_ID_HASH_KEY_FILE: file })).toThrow(
      new ConfigError('NATIONAL_ID_HASH_KEY_FILE', `${file} does not exist`),
    );
    writeFileSync(file, 'short\n');
    expect(() => loadNationalIdHashKey({ NATIONAL_ID_HASH_KEY_FILE: file })).toThrow(
      'holds 5 bytes; the key needs at least 32',
    );
    expect(() => loadNationalIdHashKey({ NODE_ENV: 'production', AUTH_KEY_DIR: dir })).toThrow(
      new ConfigError('NATIONAL_ID_HASH_KEY_FILE', 'is required in production (no key is generated there)'),
    );
  });
});
