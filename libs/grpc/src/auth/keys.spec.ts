import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@app/config';
import {
  authKeyDir,
  loadOrCreateSigningKeys,
  loadSigningKey,
  loadVerificationKey,
  SIGNING_KEY_FILE,
  VERIFICATION_KEY_FILE,
} from './keys';

describe('token keys', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'keys-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const pairs = (privateKey: Parameters<typeof sign>[2], publicKey: Parameters<typeof verify>[2]): boolean =>
    verify(null, Buffer.from('x'), publicKey, sign(null, Buffer.from('x'), privateKey));

  it('creates an Ed25519 pair once, private key readable by the owner only', () => {
    const first = loadOrCreateSigningKeys(join(dir, 'keys'));
    expect(first.created).toBe(true);
    expect(first.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(statSync(join(dir, 'keys', SIGNING_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys', VERIFICATION_KEY_FILE)).isFile()).toBe(true);

    const again = loadOrCreateSigningKeys(join(dir, 'keys'));
    expect(again.created).toBe(false);
    expect(pairs(first.privateKey, again.publicKey)).toBe(true);
  });

  it('refuses a public key file that belongs to another private key', () => {
    loadOrCreateSigningKeys(dir);
    writeFileSync(
      join(dir, VERIFICATION_KEY_FILE),
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
    );
    expect(() => loadOrCreateSigningKeys(dir)).toThrow(/does not belong to/);
  });

  it('verifies with the key directory of DATA_DIR by default, creating the pair in development', () => {
    expect(authKeyDir({})).toBe(join('.data', 'keys'));
    const env = { DATA_DIR: dir };
    const verification = loadVerificationKey(env);
    expect(pairs(loadSigningKey(env), verification)).toBe(true);
    expect(statSync(join(dir, 'keys', SIGNING_KEY_FILE)).isFile()).toBe(true);
  });

  it('uses AUTH_KEY_DIR, AUTH_PUBLIC_KEY_FILE and AUTH_PRIVATE_KEY_FILE when set', () => {
    const { privateKeyFile, publicKeyFile, privateKey, publicKey } = loadOrCreateSigningKeys(join(dir, 'elsewhere'));
    expect(pairs(loadSigningKey({ AUTH_KEY_DIR: join(dir, 'elsewhere') }), publicKey)).toBe(true);
    expect(
      pairs(privateKey, loadVerificationKey({ AUTH_PUBLIC_KEY_FILE: publicKeyFile, DATA_DIR: join(dir, 'unused') })),
    ).toBe(true);
    expect(pairs(loadSigningKey({ AUTH_PRIVATE_KEY_FILE: privateKeyFile }), publicKey)).toBe(true);
  });

  it('names the variable when a configured key is missing or not Ed25519', () => {
    expect(() => loadVerificationKey({ AUTH_PUBLIC_KEY_FILE: join(dir, 'nope.pub') })).toThrow(
      new ConfigError('AUTH_PUBLIC_KEY_FILE', `${join(dir, 'nope.pub')} does not exist`),
    );
    const rsa = join(dir, 'rsa.pub');
    writeFileSync(
      rsa,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }),
    );
    expect(() => loadVerificationKey({ AUTH_PUBLIC_KEY_FILE: rsa })).toThrow(
      /AUTH_PUBLIC_KEY_FILE: .*is a rsa key; tokens use Ed25519/,
    );
  });

  it('never generates keys in production', () => {
    expect(() => loadVerificationKey({ DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(() => loadSigningKey({ DATA_DIR: dir, NODE_ENV: 'production' })).toThrow(
      /AUTH_PRIVATE_KEY_FILE: is required in production/,
    );
  });
});
