import type { KeyObject } from 'node:crypto';
import { AuthError } from './auth.errors';
import { CLOCK_SKEW_SECONDS, verifyToken, type Principal } from './token';

const DEFAULT_CAPACITY = 1024;

/**
 * Accepted values are found by their last characters (the end of the token's
 * Ed25519 signature: 96 random bits), then compared whole: a value read off a
 * call's headers is a new string each time, and hashing all of it for a Map was
 * most of a remembered token's cost.
 */
const KEY_CHARS = 16;

interface Verified {
  /** The whole `Bearer <token>` value. */
  authorization: string;
  principal: Principal;
  /** Seconds: the token is valid from `from` to `until` (clock skew included). */
  from: number;
  until: number;
}

const BEARER = /^Bearer[ \t]+([^\s]+)[ \t]*$/i;

/**
 * verifyToken with a memory of the tokens it has accepted: a caller sends the
 * same `authorization` value on every call, and checking its Ed25519 signature
 * each time was a third of a CheckCall's cost. An accepted value (the token's
 * signature included) is accepted again, with the same principal, only while
 * its time claims still hold; anything else, refusals included, is parsed and
 * goes through verifyToken.
 */
export class VerifiedTokens {
  /** By the end of the `Bearer <token>` value (KEY_CHARS): a value sent again is neither parsed nor verified. */
  private readonly accepted = new Map<string, Verified>();

  constructor(
    private readonly publicKey: KeyObject,
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly verifySigned: typeof verifyToken = verifyToken,
    private readonly skewSeconds = CLOCK_SKEW_SECONDS,
  ) {}

  /** The caller an `authorization: Bearer <token>` value names; an AuthError or TokenError when it names none. */
  verifyBearer(authorization: string, nowSeconds = Math.floor(Date.now() / 1000)): Principal {
    const key = authorization.slice(-KEY_CHARS);
    const known = this.accepted.get(key);
    if (known && known.authorization === authorization && nowSeconds >= known.from && nowSeconds <= known.until)
      return known.principal;
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw new AuthError('INVALID_TOKEN', 'invalid token: authorization must be "Bearer <token>"');
    const principal = this.verifySigned(token, this.publicKey, nowSeconds, this.skewSeconds);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
      exp: number;
      nbf?: number;
      iat?: number;
    };
    this.accepted.delete(key);
    if (this.accepted.size >= this.capacity) this.accepted.delete(this.accepted.keys().next().value as string);
    this.accepted.set(key, {
      authorization,
      principal,
      from: Math.max(claims.nbf ?? -Infinity, claims.iat ?? -Infinity) - this.skewSeconds,
      until: claims.exp + this.skewSeconds,
    });
    return principal;
  }
}
