import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
// Relative, not @app/config: scripts/mint-token.ts loads this file after a plain tsc build.
import { ConfigError, envInt, envOptional, type Env } from '../../../config/src/env';
import { writeOnce } from '../../../config/src/write-once';
import { CLOCK_SKEW_SECONDS } from './token';

export const SIGNING_KEY_FILE = 'token-signing.key';
export const VERIFICATION_KEY_FILE = 'token-signing.pub';

export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privateKeyFile: string;
  publicKeyFile: string;
  /** True when this call generated the pair. */
  created: boolean;
}

/**
 * The token signing pair in `dir` (development and single-host setups): loads
 * `token-signing.key` (PKCS#8 PEM, mode 0600) and `token-signing.pub` (SPKI PEM),
 * generating an Ed25519 pair when there is none.
 */
export function loadOrCreateSigningKeys(dir: string): SigningKeys {
  return loadOrCreateKeyPair(dir, SIGNING_KEY_FILE, VERIFICATION_KEY_FILE, 'tokens');
}

/**
 * An Ed25519 pair of this name in `dir`, generated when there is none: the
 * private key owner-only, the public one beside it. `use` names what it signs,
 * for errors. Safe against a concurrent process doing the same: the first
 * writer wins, the other reads its key.
 */
export function loadOrCreateKeyPair(dir: string, privateName: string, publicName: string, use: string): SigningKeys {
  const privateKeyFile = resolve(dir, privateName);
  const publicKeyFile = resolve(dir, publicName);
  let created = false;
  let privatePem = readIfExists(privateKeyFile);
  if (privatePem === undefined) {
    // Only the key folder itself is private: parents (e.g. .data) must stay enterable by the embedded PostgreSQL.
    mkdirSync(dirname(resolve(dir)), { recursive: true });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const pair = generateKeyPairSync('ed25519');
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    privatePem = writeOnce(privateKeyFile, pem, 0o600);
    created = privatePem === pem;
  }
  const privateKey = parseKey(privatePem, 'private', privateKeyFile, use);
  const publicKey = createPublicKey(privateKey);
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const existingPublicPem = readIfExists(publicKeyFile) ?? writeOnce(publicKeyFile, publicPem, 0o644);
  if (existingPublicPem.trim() !== publicPem.trim()) {
    throw new Error(`${publicKeyFile} does not belong to ${privateKeyFile}: remove the stale public key`);
  }
  return { privateKey, publicKey, privateKeyFile, publicKeyFile, created };
}

/** `AUTH_KEY_DIR`, else `<DATA_DIR or .data>/keys`. */
export function authKeyDir(env: Env): string {
  return envOptional(env, 'AUTH_KEY_DIR') ?? join(envOptional(env, 'DATA_DIR') ?? '.data', 'keys');
}

/**
 * The key that verifies callers' tokens: `AUTH_PUBLIC_KEY_FILE` when set (production),
 * else `token-signing.pub` in the key directory (authKeyDir), whose pair is created
 * on first use outside production so that `npm run token` and the services agree.
 */
export function loadVerificationKey(env: Env): KeyObject {
  const file = envOptional(env, 'AUTH_PUBLIC_KEY_FILE');
  if (file !== undefined) return readKeyFile(file, 'public', 'AUTH_PUBLIC_KEY_FILE');
  const dir = authKeyDir(env);
  const pem = readIfExists(resolve(dir, VERIFICATION_KEY_FILE));
  if (pem !== undefined) return parseKey(pem, 'public', resolve(dir, VERIFICATION_KEY_FILE));
  refuseInProduction(env, 'AUTH_PUBLIC_KEY_FILE');
  return loadOrCreateSigningKeys(dir).publicKey;
}

/**
 * The key that signs tokens: `AUTH_PRIVATE_KEY_FILE` when set,
 * else the key directory's (created outside production).
 */
export function loadSigningKey(env: Env): KeyObject {
  const file = envOptional(env, 'AUTH_PRIVATE_KEY_FILE');
  if (file !== undefined) return readKeyFile(file, 'private', 'AUTH_PRIVATE_KEY_FILE');
  const dir = authKeyDir(env);
  if (readIfExists(resolve(dir, SIGNING_KEY_FILE)) === undefined) refuseInProduction(env, 'AUTH_PRIVATE_KEY_FILE');
  return loadOrCreateSigningKeys(dir).privateKey;
}

function refuseInProduction(env: Env, variable: string): void {
  if (envOptional(env, 'NODE_ENV') === 'production') {
    throw new ConfigError(
      variable,
      `is required in production (no key found in ${authKeyDir(env)}, and none is generated there in production)`,
    );
  }
}

/**
 * An Ed25519 key from the file a variable names;
 * a missing file or another kind of key is a ConfigError naming the variable.
 */
export function readKeyFile(file: string, type: 'private' | 'public', variable: string, use = 'tokens'): KeyObject {
  const pem = readIfExists(file);
  if (pem === undefined) throw new ConfigError(variable, `${file} does not exist`);
  try {
    return parseKey(pem, type, file, use);
  } catch (error) {
    throw new ConfigError(variable, (error as Error).message);
  }
}

function parseKey(pem: string, type: 'private' | 'public', file: string, use = 'tokens'): KeyObject {
  let key: KeyObject;
  try {
    key = type === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
  } catch (error) {
    throw new Error(`${file} is not a PEM ${type} key: ${(error as Error).message}`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`${file} is a ${key.asymmetricKeyType} key; ${use} use Ed25519`);
  if (key.type !== type) throw new Error(`${file} holds a ${key.type} key, expected a ${type} key`);
  return key;
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * `AUTH_CLOCK_SKEW_SEC`: how far the clocks of the host that minted a token and of this one may differ
 * (default 30 s).
 */
export function authClockSkewSeconds(env: Env): number {
  return envInt(env, 'AUTH_CLOCK_SKEW_SEC', CLOCK_SKEW_SECONDS, 0, 300);
}
