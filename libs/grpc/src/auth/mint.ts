import type { Env } from '../../../config/src/env';
import { loadSigningKey } from './keys';
import { parseRole, type Role } from './roles';
import { signToken } from './token';

/**
 * Minting a bearer token from the signing key, as operators do it (npm run
 * token, fraudctl token): a role, a subject derived from it unless given,
 * and a bounded lifetime. Kept free of @app imports for plain-tsc scripts.
 */

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };
/** Longer-lived tokens belong to a real identity provider, not to the signing key on a host. */
export const MAX_MINTED_TTL_SECONDS = 30 * 86400;

/** A --ttl the operator typed that is no duration: a usage error for the CLIs. */
export class TtlError extends Error {}

/** `3600`, `45s`, `30m`, `8h`, `2d` -> seconds. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new TtlError(`--ttl "${text}" is not a duration like 3600, 30m, 8h or 2d`);
  const seconds = Number(match[1]) * (UNIT_SECONDS[match[2] || 's'] ?? 1);
  if (seconds <= 0 || seconds > MAX_MINTED_TTL_SECONDS)
    throw new TtlError(`--ttl must be between 1 second and 30 days, got ${text}`);
  return seconds;
}

/** `carrier:CMCC` -> `carrier-cmcc`: the subject of a token minted without one. */
export function defaultSubject(role: string): string {
  return role.replace(':', '-').toLowerCase();
}

export interface MintRequest {
  role: string;
  subject?: string;
  ttlSeconds: number;
  issuer: string;
}

export interface MintedToken {
  token: string;
  role: Role;
  subject: string;
}

/** Signs a token with the signing key (AUTH_PRIVATE_KEY_FILE or the key directory's, see loadSigningKey). */
export function mintToken(request: MintRequest, env: Env): MintedToken {
  const role = parseRole(request.role);
  const subject = request.subject ?? defaultSubject(request.role);
  const token = signToken(
    { subject, role: request.role, ttlSeconds: request.ttlSeconds, issuer: request.issuer },
    loadSigningKey(env),
  );
  return { token, role, subject };
}
