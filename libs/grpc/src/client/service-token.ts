import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { ConfigError, envInt, type Env } from '../../../config/src/env';
import { loadSigningKey } from '../auth/keys';
import { signToken } from '../auth/token';

/**
 * Tokens minted here (development) live an hour (MINTED_TOKEN_TTL_SEC)
 * and are renewed in their last quarter, well before expiry.
 */
export const MINTED_TOKEN_TTL_SECONDS = 3600;

/** A token file setting: the variable that names it (for error messages) and its value. */
export interface TokenFileSetting {
  variable: string;
  file: string | undefined;
}

/** Who a service is when it calls another: e.g. `carrier-ctcc` as `carrier:CTCC`. */
export interface ServiceIdentity {
  subject: string;
  role: string;
}

/**
 * The token a service shows another (a carrier to the registry or the
 * administration, the administration to the registry), read at each call's
 * start: from the setting's file when set (production: the token is issued to
 * us), else minted from the signing key (outside production only, which each
 * service's configuration enforces).
 */
export function serviceTokenSource(identity: ServiceIdentity, tokenFile: TokenFileSetting, env: Env): () => string {
  if (tokenFile.file !== undefined) return fileToken(tokenFile.file, tokenFile.variable);
  return mintedToken(
    identity,
    loadSigningKey(env),
    undefined,
    envInt(env, 'MINTED_TOKEN_TTL_SEC', MINTED_TOKEN_TTL_SECONDS, 1, 7 * 86_400),
  );
}

/**
 * A token kept in a file that an operator or a secret agent rotates: re-read
 * whenever the file changes. While it cannot be read (mid-rotation), the last
 * good token is used.
 */
export function fileToken(file: string, variable: string): () => string {
  const logger = new Logger(`PeerToken(${variable})`);
  const read = (): { token: string; stamp: string } => {
    const stat = statSync(file);
    return { token: readFileSync(file, 'utf8').trim(), stamp: `${stat.ino}:${stat.size}:${stat.mtimeMs}` };
  };
  let current: { token: string; stamp: string };
  try {
    current = read();
  } catch (error) {
    throw new ConfigError(variable, `cannot read ${file}: ${(error as Error).message}`);
  }
  if (current.token === '') throw new ConfigError(variable, `${file} is empty`);
  let warned = false;
  return () => {
    try {
      const stamp = statSync(file);
      if (`${stamp.ino}:${stamp.size}:${stamp.mtimeMs}` !== current.stamp) {
        const next = read();
        if (next.token !== '') current = next;
      }
      warned = false;
    } catch (error) {
      if (!warned) logger.warn(`cannot re-read ${file} (${(error as Error).message}); using the last token read`);
      warned = true;
    }
    return current.token;
  };
}

/** A token signed here for the identity, renewed in its last quarter, before it expires. */
export function mintedToken(
  identity: ServiceIdentity,
  signingKey: KeyObject,
  nowSeconds: () => number = () => Math.floor(Date.now() / 1000),
  ttlSeconds = MINTED_TOKEN_TTL_SECONDS,
): () => string {
  let token = '';
  let expiresAt = 0;
  return () => {
    const now = nowSeconds();
    if (expiresAt - now <= ttlSeconds / 4) {
      token = signToken({ ...identity, ttlSeconds }, signingKey, now);
      expiresAt = now + ttlSeconds;
    }
    return token;
  };
}
