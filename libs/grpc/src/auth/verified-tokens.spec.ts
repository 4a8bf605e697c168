import { generateKeyPairSync } from 'node:crypto';
import { CLOCK_SKEW_SECONDS, signToken, TokenError, verifyToken } from './token';
import { VerifiedTokens } from './verified-tokens';

describe(VerifiedTokens.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const now = 1_800_000_000;
  const token = signToken({ subject: 'switch-1', role: 'carrier:CTCC', ttlSeconds: 600 }, privateKey, now);

  it('checks the signature once per token, then answers from memory with the same principal', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 16, verify);
    const first = tokens.verify(token, now);
    expect(tokens.verify(token, now + 10)).toBe(first);
    expect(first).toMatchObject({ subject: 'switch-1', role: 'carrier:CTCC', scope: 'CTCC' });
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('still refuses a remembered token once it has expired', () => {
    const tokens = new VerifiedTokens(publicKey);
    tokens.verify(token, now);
    expect(() => tokens.verify(token, now + 600 + CLOCK_SKEW_SECONDS + 1)).toThrow(TokenError);
  });

  it('still refuses a remembered token before it was issued (beyond the clock skew)', () => {
    const tokens = new VerifiedTokens(publicKey);
    tokens.verify(token, now);
    expect(() => tokens.verify(token, now - CLOCK_SKEW_SECONDS - 1)).toThrow(TokenError);
  });

  it('never remembers a refusal: a forged signature is refused every time', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 16, verify);
    const forged = `${token.slice(0, token.lastIndexOf('.'))}.${Buffer.alloc(64).toString('base64url')}`;
    expect(() => tokens.verify(forged, now)).toThrow(TokenError);
    expect(() => tokens.verify(forged, now)).toThrow(TokenError);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('forgets the oldest token beyond its capacity', () => {
    const verify = jest.fn(verifyToken);
    const tokens = new VerifiedTokens(publicKey, 2, verify);
    const others = ['a', 'b'].map((s) => signToken({ subject: s, role: 'police', ttlSeconds: 600 }, privateKey, now));
    tokens.verify(token, now);
    for (const t of others) tokens.verify(t, now);
    tokens.verify(token, now);
    expect(verify).toHaveBeenCalledTimes(4);
  });
});
