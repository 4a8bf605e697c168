import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, envOptional, writeOnce, type Env } from '@app/config';
import { authKeyDir } from '@app/grpc';

export const NATIONAL_ID_KEY_FILE = 'national-id.key';
const VARIABLE = 'NATIONAL_ID_HASH_KEY_FILE';
/** A shorter secret would make the keyed hash guessable. */
const MIN_KEY_BYTES = 32;

/**
 * The secret of the national ID hash: the content of `NATIONAL_ID_HASH_KEY_FILE`
 * (surrounding whitespace ignored, at least 32 bytes), else, outside production,
 * `national-id.key` in the key folder (AUTH_KEY_DIR, else <DATA_DIR>/keys),
 * generated once (mode 0600). Losing or changing it makes earlier hashes
 * unmatchable, so production must provide it and never gets a generated one.
 */
export function loadNationalIdHashKey(env: Env): Buffer {
  const file = envOptional(env, 'NATIONAL_ID_HASH_KEY_FILE');
  if (file !== undefined) {
    const key = readIfExists(file);
    if (key === undefined) throw new ConfigError(VARIABLE, `${file} does not exist`);
    return checked(key, file);
  }
  if (envOptional(env, 'NODE_ENV') === 'production')
    throw new ConfigError(VARIABLE, 'is required in production (no key is generated there)');
  const dir = authKeyDir(env);
  const path = resolve(dir, NATIONAL_ID_KEY_FILE);
  return checked(readIfExists(path) ?? create(dir, path), path);
}

function create(dir: string, path: string): Buffer {
  // Only the key folder itself is private: parents (e.g. .data) must stay enterable by the embedded PostgreSQL.
  mkdirSync(dirname(resolve(dir)), { recursive: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Another carrier process sharing the folder may write it at the same moment: the first one's key is everyone's.
  return Buffer.from(writeOnce(path, `${randomBytes(MIN_KEY_BYTES).toString('hex')}\n`, 0o600));
}

function checked(content: Buffer, file: string): Buffer {
  const key = Buffer.from(content.toString('utf8').trim());
  if (key.length < MIN_KEY_BYTES)
    throw new ConfigError(
      VARIABLE,
      `${file} holds ${key.length} bytes; the key needs at least ${MIN_KEY_BYTES} (e.g. openssl rand -hex 32)`,
    );
  return key;
}

function readIfExists(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
