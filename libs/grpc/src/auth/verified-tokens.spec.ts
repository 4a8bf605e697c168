import { generateKeyPairSync } from 'node:crypto';
import { CLOCK_SKEW_SECONDS, signToken, TokenError, verifyToken } from './token';
import { AuthError } from './auth.errors';
import { VerifiedTokens } from './verified-tokens';

describe(VerifiedTokens.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const now = 1_800_000_000;
  const token = signToken({ subject: 'switch-1', role: 'carrier:CTCC', ttlSeconds: 600 }, privateKey, now);
  const bearer = `Bearer ${token}`;

  it('checks the signature once per token, then answers from memory with the same principal', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 16, verify);
    const first = tokens.verifyBearer(bearer, now);
    expect(tokens.verifyBearer(bearer, now + 10)).toBe(first);
    expect(first).toMatchObject({ subject: 'switch-1', role: 'carrier:CTCC', scope: 'CTCC' });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('still refuses a remembered token once it has expired', () => {
    const tokens = new VerifiedTokens(publicKey);
    tokens.verifyBearer(bearer, now);
    expect(() => tokens.verifyBearer(bearer, now + 600 + CLOCK_SKEW_SECONDS + 1)).toThrow(TokenError);
  });

  it('still refuses a remembered token before it was issued (beyond the clock skew)', () => {
    const tokens = new VerifiedTokens(publicKey);
    tokens.verifyBearer(bearer, now);
    expect(() => tokens.verifyBearer(bearer, now - CLOCK_SKEW_SECONDS - 1)).toThrow(TokenError);
  });

  it('never remembers a refusal: a forged signature is refused every time', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 16, verify);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.alloc(64).toString('base64url')}`;
    expect(() => tokens.verifyBearer(`Bearer ${forged}`, now)).toThrow(TokenError);
    expect(() => tokens.verifyBearer(`Bearer ${forged}`, now)).toThrow(TokenError);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('forgets the oldest token beyond its capacity', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 2, verify);
    const others = ['a', 'b'].map((s) => signToken({ subject: s, role: 'police', ttlSeconds: 600 }, privateKey, now));
    tokens.verifyBearer(bearer, now);
    for (const t of others) tokens.verifyBearer(`Bearer ${t}`, now);
    tokens.verifyBearer(bearer, now);
    expect(verify).toHaveBeenCalledTimes(4);
  });

  it('reads the token of any Bearer spelling, and refuses a value that is not one, every time', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 16, verify);
    const principal = tokens.verifyBearer(bearer, now);
    expect(tokens.verifyBearer(`bearer \t${token} `, now)).toEqual(principal);
    for (const bad of [token, `Basic ${token}`, `Bearer ${token} extra`, 'Bearer ', '']) {
      expect(() => tokens.verifyBearer(bad, now)).toThrow(AuthError);
      expect(() => tokens.verifyBearer(bad, now)).toThrow('authorization must be "Bearer <token>"');
    }
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('compares a remembered value whole: one that only ends as an accepted token does is verified, and refused', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 16, verify);
    tokens.verifyBearer(bearer, now);
    const [header, payload, signature] = token.split('.');
    const altered = `Bearer ${header}.${payload.slice(0, -2)}AA.${signature}`;
    expect(altered.slice(-16)).toBe(bearer.slice(-16));
    expect(() => tokens.verifyBearer(altered, now)).toThrow(TokenError);
    expect(verify).toHaveBeenCalledTimes(2);
    expect(tokens.verifyBearer(bearer, now)).toMatchObject({ subject: 'switch-1' });
    expect(verify).toHaveBeenCalledTimes(2);
  });
});
