import type { KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { Logger } from '@nestjs/common';
import { ConfigError, type Env } from '@app/config';
import { loadSigningKey, signToken, type CarrierId } from '@app/grpc';

/** Tokens minted here (development) live an hour and are renewed in their last quarter, well before expiry. */
export const MINTED_TOKEN_TTL_SECONDS = 3600;
const RENEW_WITH_SECONDS_LEFT = MINTED_TOKEN_TTL_SECONDS / 4;

/**
 * The `carrier:<ID>` token the carrier shows the registry, read at each call's
 * start: from `REGISTRY_TOKEN_FILE` when set (production: the token is issued
 * to us), else minted from the signing key (`loadSigningKey`; outside
 * production only, which carrierConfig enforces).
 */
export function registryTokenSource(carrierId: CarrierId, tokenFile: string | undefined, env: Env): () => string {
  return tokenFile === undefined ? mintedToken(carrierId, loadSigningKey(env)) : fileToken(tokenFile);
}

/**
 * A token kept in a file that an operator or a secret agent rotates: re-read
 * whenever the file changes. While it cannot be read (mid-rotation), the last
 * good token is used.
 */
export function fileToken(file: string): () => string {
  const logger = new Logger('RegistryToken');
  const read = (): { token: string; stamp: string } => {
    const stat = statSync(file);
    return { token: readFileSync(file, 'utf8').trim(), stamp: `${stat.ino}:${stat.size}:${stat.mtimeMs}` };
  };
  let current: { token: string; stamp: string };
  try {
    current = read();
  } catch (error) {
    throw new ConfigError('REGISTRY_TOKEN_FILE', `cannot read ${file}: ${(error as Error).message}`);
  }
  if (current.token === '') throw new ConfigError('REGISTRY_TOKEN_FILE', `${file} is empty`);
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

/** A token signed here as `carrier:<ID>`, renewed before it expires. */
export function mintedToken(carrierId: CarrierId, signingKey: KeyObject, nowSeconds: () => number = () => Math.floor(Date.now() / 1000)): () => string {
  let token = '';
  let expiresAt = 0;
  return () => {
    const now = nowSeconds();
    if (expiresAt - now <= RENEW_WITH_SECONDS_LEFT) {
      token = signToken({ subject: `carrier-${carrierId.toLowerCase()}`, role: `carrier:${carrierId}`, ttlSeconds: MINTED_TOKEN_TTL_SECONDS }, signingKey, now);
      expiresAt = now + MINTED_TOKEN_TTL_SECONDS;
    }
    return token;
  };
}
