import { generateKeyPairSync, sign } from 'node:crypto';
import { RoleKind } from './roles';
import { CLOCK_SKEW_SECONDS, signToken, TokenError, TokenErrorReason, verifyToken } from './token';

describe('tokens', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const now = 1_700_000_000;
  const valid = signToken({ subject: 'officer-7', role: 'police', ttlSeconds: 3600, issuer: 'dev' }, privateKey, now);

  const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const reasonOf = (fn: () => unknown): TokenErrorReason | string => {
    try {
      fn();
    } catch (error) {
      return error instanceof TokenError ? error.reason : `not a TokenError: ${String(error)}`;
    }
    return 'accepted';
  };
  /** A token whose header and payload we choose, correctly signed with the right key. */
  const forge = (header: object, payload: object): string => {
    const input = `${b64(header)}.${b64(payload)}`;
    return `${input}.${sign(null, Buffer.from(input), privateKey).toString('base64url')}`;
  };

  it('verifies a valid token into its principal', () => {
    expect(verifyToken(valid, publicKey, now + 10)).toEqual({
      subject: 'officer-7',
      role: 'police',
      kind: RoleKind.Police,
      expiresAt: now + 3600,
    });
    const carrier = signToken({ subject: 'carrier-cmcc', role: 'carrier:CMCC', ttlSeconds: 60 }, privateKey, now);
    expect(verifyToken(carrier, publicKey, now)).toEqual({
      subject: 'carrier-cmcc',
      role: 'carrier:CMCC',
      kind: RoleKind.Carrier,
      scope: 'CMCC',
      expiresAt: now + 60,
    });
  });

  it('is a compact JWS with alg EdDSA and the standard claims', () => {
    const [header, payload] = valid
      .split('.')
      .slice(0, 2)
      .map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT' });
    expect(payload).toMatchObject({ sub: 'officer-7', role: 'police', iat: now, exp: now + 3600, iss: 'dev' });
    expect(typeof payload!.jti).toBe('string');
  });

  it('accepts a small clock skew and refuses expired tokens', () => {
    expect(verifyToken(valid, publicKey, now + 3600 + CLOCK_SKEW_SECONDS).subject).toBe('officer-7');
    expect(reasonOf(() => verifyToken(valid, publicKey, now + 3600 + CLOCK_SKEW_SECONDS + 1))).toBe(
      TokenErrorReason.Expired,
    );
  });

  it('refuses tokens issued in the future beyond the skew', () => {
    expect(reasonOf(() => verifyToken(valid, publicKey, now - CLOCK_SKEW_SECONDS - 5))).toBe(
      TokenErrorReason.NotYetValid,
    );
  });

  it('refuses a tampered payload (role raised to auditor)', () => {
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const raised = `${header}.${b64({ ...claims, role: 'auditor' })}.${signature}`;
    expect(reasonOf(() => verifyToken(raised, publicKey, now))).toBe(TokenErrorReason.BadSignature);
  });

  it('refuses a tampered signature', () => {
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    const bytes = Buffer.from(signature, 'base64url');
    bytes[10] = bytes[10]! ^ 0x01;
    expect(reasonOf(() => verifyToken(`${header}.${payload}.${bytes.toString('base64url')}`, publicKey, now))).toBe(
      TokenErrorReason.BadSignature,
    );
    const truncated = Buffer.from(signature, 'base64url').subarray(0, 63).toString('base64url');
    expect(reasonOf(() => verifyToken(`${header}.${payload}.${truncated}`, publicKey, now))).toBe(
      TokenErrorReason.BadSignature,
    );
  });

  it('refuses a non-canonical encoding of the same signature', () => {
    const [header, payload, signature] = valid.split('.') as [string, string, string];
    // The last base64url character of a 64-byte value carries 4 unused bits.
    const last = signature.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[(alphabet.indexOf(last) & ~0b1111) | ((alphabet.indexOf(last) + 1) & 0b1111)]!;
    expect(Buffer.from(signature.slice(0, -1) + twin, 'base64url')).toEqual(Buffer.from(signature, 'base64url'));
    expect(reasonOf(() => verifyToken(`${header}.${payload}.${signature.slice(0, -1)}${twin}`, publicKey, now))).toBe(
      TokenErrorReason.Malformed,
    );
  });

  it('refuses alg none, with or without a signature', () => {
    const payload = { sub: 'x', role: 'auditor', iat: now, exp: now + 60 };
    expect(reasonOf(() => verifyToken(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(payload)}.`, publicKey, now))).toBe(
      TokenErrorReason.Malformed,
    );
    const noneSigned = forge({ alg: 'none' }, payload);
    expect(reasonOf(() => verifyToken(noneSigned, publicKey, now))).toBe(TokenErrorReason.UnsupportedAlgorithm);
  });

  it('refuses any other algorithm, e.g. HS256 keyed with the public key', () => {
    expect(
      reasonOf(() => verifyToken(forge({ alg: 'HS256' }, { sub: 'x', role: 'police', exp: now + 60 }), publicKey, now)),
    ).toBe(TokenErrorReason.UnsupportedAlgorithm);
    expect(reasonOf(() => verifyToken(forge({}, { sub: 'x', role: 'police', exp: now + 60 }), publicKey, now))).toBe(
      TokenErrorReason.UnsupportedAlgorithm,
    );
  });

  it('refuses a token signed with another key', () => {
    const other = generateKeyPairSync('ed25519');
    const foreign = signToken({ subject: 'x', role: 'police', ttlSeconds: 60 }, other.privateKey, now);
    expect(reasonOf(() => verifyToken(foreign, publicKey, now))).toBe(TokenErrorReason.BadSignature);
  });

  it('refuses garbage', () => {
    for (const garbage of [
      '',
      'abc',
      'a.b',
      'a.b.c.d',
      '!!.??.**',
      `${'a'.repeat(9000)}.b.c`,
      'Bearer x.y.z',
      `${b64('just a string')}.${b64({})}.AAAA`,
    ]) {
      expect(reasonOf(() => verifyToken(garbage, publicKey, now))).toBe(TokenErrorReason.Malformed);
    }
    // The signature is checked before the payload is even decoded.
    expect(reasonOf(() => verifyToken(`${b64({ alg: 'EdDSA' })}.bm90IGpzb24.AAAA`, publicKey, now))).toBe(
      TokenErrorReason.BadSignature,
    );
  });

  it('refuses well-signed tokens with missing claims or an unknown role', () => {
    expect(
      reasonOf(() => verifyToken(forge({ alg: 'EdDSA' }, { role: 'police', exp: now + 60 }), publicKey, now)),
    ).toBe(TokenErrorReason.Malformed);
    expect(reasonOf(() => verifyToken(forge({ alg: 'EdDSA' }, { sub: 'x', role: 'police' }), publicKey, now))).toBe(
      TokenErrorReason.Malformed,
    );
    expect(
      reasonOf(() =>
        verifyToken(forge({ alg: 'EdDSA' }, { sub: 'x', role: 'superuser', exp: now + 60 }), publicKey, now),
      ),
    ).toBe(TokenErrorReason.UnknownRole);
    expect(
      reasonOf(() =>
        verifyToken(forge({ alg: 'EdDSA' }, { sub: 'x', role: 'carrier:XYZ', exp: now + 60 }), publicKey, now),
      ),
    ).toBe(TokenErrorReason.UnknownRole);
  });

  it('says why in the message', () => {
    expect(() => verifyToken(valid, publicKey, now + 7200)).toThrow(/^expired: expired at 2023-11-14T/);
  });

  it('refuses to mint what it would not accept', () => {
    expect(() => signToken({ subject: 'x', role: 'root', ttlSeconds: 60 }, privateKey)).toThrow(/unknown role "root"/);
    expect(() => signToken({ subject: '', role: 'police', ttlSeconds: 60 }, privateKey)).toThrow(/subject/);
    expect(() => signToken({ subject: 'x', role: 'police', ttlSeconds: 0 }, privateKey)).toThrow(/ttl/);
    expect(() => signToken({ subject: 'x', role: 'police', ttlSeconds: 60 }, publicKey)).toThrow(/private key/);
  });
});
