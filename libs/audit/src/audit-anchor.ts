import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, envOptional, type Env } from '@app/config';
import { authKeyDir } from '@app/grpc';

/**
 * A signed statement of the audit chain's head at a moment: the last line's id
 * and hash. Kept outside the audited table (a table only another role writes,
 * and the logs), it makes the newest lines as tamper-evident as the others: a
 * chain that ends before an anchored head, or whose line at an anchored id has
 * another hash, was cut or rewritten.
 */
export interface AuditAnchor {
  /** The last audit line's id; '0' for an empty log. */
  headId: string;
  /** Its hash (the genesis hash for an empty log). */
  headHash: string;
  at: Date;
  /** Which key signed it: the first 16 bytes of the SHA-256 of its public key, in hex. */
  keyId: string;
  /** Ed25519 over `anchorMessage`, base64. */
  signature: string;
}

/** What an anchor's signature covers. */
export function anchorMessage(anchor: Pick<AuditAnchor, 'headId' | 'headHash' | 'at'>): Buffer {
  return Buffer.from(`fraud-audit-anchor/v1\n${anchor.headId}\n${anchor.headHash}\n${anchor.at.toISOString()}`);
}

export interface AnchorKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  keyId: string;
  /** SPKI PEM, for auditors who check anchors from the logs. */
  publicKeyPem: string;
  file: string;
  /** True when this call generated it. */
  created: boolean;
}

export function signAnchor(key: AnchorKey, head: Pick<AuditAnchor, 'headId' | 'headHash' | 'at'>): AuditAnchor {
  return { ...head, keyId: key.keyId, signature: sign(null, anchorMessage(head), key.privateKey).toString('base64') };
}

/** Whether `anchor` was signed by `key` (a key id of another key never verifies). */
export function anchorVerifies(key: Pick<AnchorKey, 'publicKey' | 'keyId'>, anchor: AuditAnchor): boolean {
  if (anchor.keyId !== key.keyId) return false;
  try {
    return verify(null, anchorMessage(anchor), key.publicKey, Buffer.from(anchor.signature, 'base64'));
  } catch {
    return false;
  }
}

export const ANCHOR_KEY_FILE = 'audit-anchor.key';
const VARIABLE = 'AUDIT_ANCHOR_KEY_FILE';

/**
 * The registry's anchor signing key, its own (not the token key): the Ed25519
 * private key (PKCS#8 PEM) in `AUDIT_ANCHOR_KEY_FILE`, else, outside production,
 * `audit-anchor.key` in the key folder (AUTH_KEY_DIR, else <DATA_DIR>/keys),
 * generated once (mode 0600) with `audit-anchor.pub` beside it. Production
 * never generates one.
 */
export function loadAnchorKey(env: Env = process.env): AnchorKey {
  const configured = envOptional(env, 'AUDIT_ANCHOR_KEY_FILE');
  if (configured !== undefined) {
    const pem = readIfExists(configured);
    if (pem === undefined) throw new ConfigError(VARIABLE, `${configured} does not exist`);
    return anchorKeyOf(pem, configured, false);
  }
  const dir = authKeyDir(env);
  const file = resolve(dir, ANCHOR_KEY_FILE);
  const existing = readIfExists(file);
  if (existing !== undefined) return anchorKeyOf(existing, file, false);
  if (envOptional(env, 'NODE_ENV') === 'production') throw new ConfigError(VARIABLE, 'is required in production (no key is generated there)');
  // Only the key folder itself is private: parents (e.g. .data) must stay enterable by the embedded PostgreSQL.
  mkdirSync(dirname(resolve(dir)), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another registry process sharing the folder wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return anchorKeyOf(readFileSync(file, 'utf8'), file, false);
  }
  const key = anchorKeyOf(pem, file, true);
  writeFileSync(resolve(dir, 'audit-anchor.pub'), key.publicKeyPem, { mode: 0o644 });
  return key;
}

function anchorKeyOf(pem: string, file: string, created: boolean): AnchorKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (error) {
    throw new ConfigError(VARIABLE, `${file} is not a PEM private key: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new ConfigError(VARIABLE, `${file} is a ${privateKey.asymmetricKeyType} key; audit anchors use Ed25519`);
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKey,
    keyId: createHash('sha256').update(spki).digest('hex').slice(0, 32),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    file,
    created,
  };
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
