import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/config';
import { anchorVerifies, loadAnchorKey, signAnchor } from './audit-anchor';

describe('audit anchor key and signatures', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'anchor-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates its own Ed25519 key outside production, once, owner-only, with its public key beside it', () => {
    const keys = join(dir, 'keys');
    const first = loadAnchorKey({ AUTH_KEY_DIR: keys });
    expect(first).toMatchObject({ created: true, file: join(keys, 'audit-anchor.key') });
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keys, 'audit-anchor.pub'), 'utf8')).toBe(first.publicKeyPem);
    const again = loadAnchorKey({ AUTH_KEY_DIR: keys });
    expect(again).toMatchObject({ created: false, keyId: first.keyId });
    expect(first.keyId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('in production, needs AUDIT_ANCHOR_KEY_FILE and never generates one', () => {
    expect(() => loadAnchorKey({ AUTH_KEY_DIR: dir, NODE_ENV: 'production' })).toThrow(
      /AUDIT_ANCHOR_KEY_FILE: is required in production/,
    );
    const file = join(dir, 'anchor.pem');
    writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expect(loadAnchorKey({ AUDIT_ANCHOR_KEY_FILE: file, NODE_ENV: 'production' })).toMatchObject({
      created: false,
      file,
    });
  });

  it('refuses a missing file or a key that is not Ed25519', () => {
    expect(() => loadAnchorKey({ AUDIT_ANCHOR_KEY_FILE: join(dir, 'none') })).toThrow(ConfigError);
    const rsa = join(dir, 'rsa.pem');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    expect(() => loadAnchorKey({ AUDIT_ANCHOR_KEY_FILE: rsa })).toThrow(/is a rsa key; audit anchors use Ed25519/);
  });

  it('signs the head and the time; any change, or another key, does not verify', () => {
    const key = loadAnchorKey({ AUTH_KEY_DIR: dir });
    const anchor = signAnchor(key, { headId: '41', headHash: 'a'.repeat(64), at: new Date('2024-03-02T05:00:00Z') });
    expect(anchorVerifies(key, anchor)).toBe(true);
    expect(anchorVerifies(key, { ...anchor, headId: '40' })).toBe(false);
    expect(anchorVerifies(key, { ...anchor, headHash: 'b'.repeat(64) })).toBe(false);
    expect(anchorVerifies(key, { ...anchor, at: new Date('2024-03-02T05:00:01Z') })).toBe(false);
    expect(anchorVerifies(key, { ...anchor, signature: 'not base64 at all' })).toBe(false);
    const other = loadAnchorKey({ AUTH_KEY_DIR: join(dir, 'other') });
    expect(anchorVerifies(other, anchor)).toBe(false);
    expect(anchorVerifies({ ...other, keyId: key.keyId }, anchor)).toBe(false);
  });
});
