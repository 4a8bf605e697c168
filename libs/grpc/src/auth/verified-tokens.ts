import type { KeyObject } from 'node:crypto';
import { CLOCK_SKEW_SECONDS, verifyToken, type Principal } from './token';

const DEFAULT_CAPACITY = 1024;

interface Verified {
  principal: Principal;
  /** Seconds: the token is valid from `from` to `until` (clock skew included). */
  from: number;
  until: number;
}

/**
 * verifyToken with a memory of the tokens it has accepted: a caller sends the
 * same token on every call, and checking its Ed25519 signature each time was a
 * third of a CheckCall's cost. An accepted token string (signature included)
 * is accepted again, with the same principal, only while its time claims still
 * hold; anything else, refusals included, goes through verifyToken.
 */
export class VerifiedTokens {
  private readonly accepted = new Map<string, Verified>();

  constructor(
    private readonly publicKey: KeyObject,
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly verifySigned: typeof verifyToken = verifyToken,
    private readonly skewSeconds = CLOCK_SKEW_SECONDS,
  ) {}

  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): Principal {
    const known = this.accepted.get(token);
    if (known && nowSeconds >= known.from && nowSeconds <= known.until) return known.principal;
    const principal = this.verifySigned(token, this.publicKey, nowSeconds, this.skewSeconds);
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as {
      exp: number;
      nbf?: number;
      iat?: number;
    };
    if (this.accepted.size >= this.capacity) this.accepted.delete(this.accepted.keys().next().value as string);
    this.accepted.set(token, {
      principal,
      from: Math.max(claims.nbf ?? -Infinity, claims.iat ?? -Infinity) - this.skewSeconds,
      until: claims.exp + this.skewSeconds,
    });
    return principal;
  }
}
