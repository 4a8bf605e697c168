import { createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { parseRole, RoleError, type RoleKind } from './roles';

/**
 * Compact JWTs (RFC 7519) signed with Ed25519 (RFC 8037, alg EdDSA), with
 * node:crypto only. The verifier accepts exactly one algorithm, so `alg: none`
 * and HMAC-with-the-public-key confusions are refused before any signature check.
 * Kept free of @app imports so scripts compiled by plain tsc can load it.
 */
export interface Principal {
  /** Who: an officer's badge id, a service name (`carrier-cmcc`), an analyst's login. */
  subject: string;
  /** As in the token, e.g. `carrier:CMCC`. */
  role: string;
  kind: RoleKind;
  /** Carrier ID or province for scoped roles. */
  scope?: string;
  /** The token's `exp` claim (seconds since the epoch): streams opened with it end then, clock skew allowed. */
  expiresAt: number;
}

export interface TokenClaims {
  subject: string;
  role: string;
  ttlSeconds: number;
  issuer?: string;
}

export enum TokenErrorReason {
  Malformed = 'malformed',
  UnsupportedAlgorithm = 'unsupported algorithm',
  BadSignature = 'bad signature',
  Expired = 'expired',
  NotYetValid = 'not yet valid',
  UnknownRole = 'unknown role',
}

export class TokenError extends Error {
  constructor(
    readonly reason: TokenErrorReason,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'TokenError';
  }
}

export const TOKEN_ALGORITHM = 'EdDSA';
/** Tolerated clock difference between the minting and the verifying host, by default (AUTH_CLOCK_SKEW_SEC). */
export const CLOCK_SKEW_SECONDS = 30;
const MAX_TOKEN_LENGTH = 8 * 1024;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

export type KeyInput = KeyObject | string | Buffer;

export function signToken(
  claims: TokenClaims,
  privateKey: KeyInput,
  nowSeconds = Math.floor(Date.now() / 1000),
): string {
  if (!claims.subject) throw new Error('token subject is required');
  parseRole(claims.role); // refuse to mint a token no verifier would accept
  if (!Number.isSafeInteger(claims.ttlSeconds) || claims.ttlSeconds <= 0)
    throw new Error(`token ttl must be a positive whole number of seconds, got ${claims.ttlSeconds}`);
  const key = ed25519Key(privateKey, 'private');
  const header = { alg: TOKEN_ALGORITHM, typ: 'JWT' };
  const payload = {
    sub: claims.subject,
    role: claims.role,
    iat: nowSeconds,
    exp: nowSeconds + claims.ttlSeconds,
    jti: randomUUID(),
    ...(claims.issuer ? { iss: claims.issuer } : {}),
  };
  const signingInput = `${encodeJson(header)}.${encodeJson(payload)}`;
  return `${signingInput}.${sign(null, Buffer.from(signingInput), key).toString('base64url')}`;
}

/** The principal of a valid token; otherwise a TokenError saying why not. */
export function verifyToken(
  token: string,
  publicKey: KeyInput,
  nowSeconds = Math.floor(Date.now() / 1000),
  skewSeconds = CLOCK_SKEW_SECONDS,
): Principal {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH)
    throw new TokenError(TokenErrorReason.Malformed, 'not a compact JWT');
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p)))
    throw new TokenError(TokenErrorReason.Malformed, 'not a compact JWT (three base64url parts)');
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];

  const header = decodeJson(encodedHeader, 'header');
  if (header.alg !== TOKEN_ALGORITHM)
    throw new TokenError(
      TokenErrorReason.UnsupportedAlgorithm,
      `alg ${JSON.stringify(header.alg ?? null)}, only ${TOKEN_ALGORITHM} is accepted`,
    );
  if (header.crit !== undefined)
    throw new TokenError(TokenErrorReason.Malformed, 'critical header extensions are not supported');

  const signature = decodeCanonical(encodedSignature, 'signature');
  const key = ed25519Key(publicKey, 'public');
  if (signature.length !== 64 || !verify(null, Buffer.from(`${encodedHeader}.${encodedPayload}`), key, signature)) {
    throw new TokenError(TokenErrorReason.BadSignature);
  }

  const claims = decodeJson(encodedPayload, 'payload');
  const { sub, role, exp, nbf, iat } = claims;
  if (typeof sub !== 'string' || sub === '') throw new TokenError(TokenErrorReason.Malformed, 'sub is missing');
  if (typeof role !== 'string') throw new TokenError(TokenErrorReason.Malformed, 'role is missing');
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    throw new TokenError(TokenErrorReason.Malformed, 'exp is missing');
  if (nowSeconds > exp + skewSeconds)
    throw new TokenError(TokenErrorReason.Expired, `expired at ${new Date(exp * 1000).toISOString()}`);
  for (const [name, value] of [
    ['nbf', nbf],
    ['iat', iat],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw new TokenError(TokenErrorReason.Malformed, `${name} is not a number`);
    if (value > nowSeconds + skewSeconds)
      throw new TokenError(TokenErrorReason.NotYetValid, `${name} is ${new Date(value * 1000).toISOString()}`);
  }

  try {
    const parsed = parseRole(role);
    return {
      subject: sub,
      role,
      kind: parsed.kind,
      ...(parsed.scope === undefined ? {} : { scope: parsed.scope }),
      expiresAt: exp,
    };
  } catch (error) {
    if (error instanceof RoleError) throw new TokenError(TokenErrorReason.UnknownRole, error.message);
    throw error;
  }
}

function ed25519Key(input: KeyInput, type: 'private' | 'public'): KeyObject {
  let key: KeyObject;
  if (typeof input === 'string' || Buffer.isBuffer(input)) {
    key = type === 'private' ? createPrivateKey(input) : createPublicKey(input);
  } else {
    key = type === 'public' && input.type === 'private' ? createPublicKey(input) : input;
  }
  if (key.type !== type || key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `token ${type} key must be an Ed25519 ${type} key, got ${key.asymmetricKeyType ?? key.type} ${key.type}`,
    );
  }
  return key;
}

function encodeJson(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Only the one canonical encoding is accepted, so no two strings verify as the same token. */
function decodeCanonical(part: string, what: string): Buffer {
  const bytes = Buffer.from(part, 'base64url');
  if (bytes.toString('base64url') !== part)
    throw new TokenError(TokenErrorReason.Malformed, `${what} is not canonical base64url`);
  return bytes;
}

function decodeJson(part: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(decodeCanonical(part, what).toString('utf8'));
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError(TokenErrorReason.Malformed, `${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TokenError(TokenErrorReason.Malformed, `${what} is not a JSON object`);
  return value as Record<string, unknown>;
}
