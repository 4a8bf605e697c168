import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, envOptional, type Env } from '@app/config';
import { authKeyDir, loadOrCreateKeyPair, readKeyFile } from '@app/grpc';

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
const ANCHOR_PUBLIC_KEY_FILE = 'audit-anchor.pub';
const VARIABLE = 'AUDIT_ANCHOR_KEY_FILE';

/**
 * The registry's anchor signing key, its own (not the token key): the Ed25519
 * private key (PKCS#8 PEM) in `AUDIT_ANCHOR_KEY_FILE`, else, outside production,
 * `audit-anchor.key` in the key folder (AUTH_KEY_DIR, else <DATA_DIR>/keys),
 * generated once (mode 0600) with `audit-anchor.pub` beside it. Production
 * never generates one.
 */
export function loadAnchorKey(env: Env): AnchorKey {
  const configured = envOptional(env, 'AUDIT_ANCHOR_KEY_FILE');
  if (configured !== undefined)
    return anchorKeyOf(readKeyFile(configured, 'private', VARIABLE, 'audit anchors'), configured, false);
  const dir = authKeyDir(env);
  if (!existsSync(resolve(dir, ANCHOR_KEY_FILE)) && envOptional(env, 'NODE_ENV') === 'production')
    throw new ConfigError(VARIABLE, 'is required in production (no key is generated there)');
  const pair = loadOrCreateKeyPair(dir, ANCHOR_KEY_FILE, ANCHOR_PUBLIC_KEY_FILE, 'audit anchors');
  return anchorKeyOf(pair.privateKey, pair.privateKeyFile, pair.created);
}

function anchorKeyOf(privateKey: KeyObject, file: string, created: boolean): AnchorKey {
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
