import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVerificationKey } from '../libs/grpc/src/auth/keys';
import { RoleKind } from '../libs/grpc/src/auth/roles';
import { verifyToken } from '../libs/grpc/src/auth/token';
import { parseTtl, run } from './mint-token';

describe('mint-token', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'mint-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const mint = (...argv: string[]): { status: number; out: string[]; err: string[] } => {
    const out: string[] = [];
    const err: string[] = [];
    const status = run(
      argv,
      { DATA_DIR: dataDir },
      (l) => out.push(l),
      (l) => err.push(l),
    );
    return { status, out, err };
  };

  it('prints only a token the services verify with the matching public key', () => {
    const { status, out } = mint('--role', 'carrier:CMCC', '--ttl', '2h');
    expect(status).toBe(0);
    expect(out).toHaveLength(1);
    const now = Math.floor(Date.now() / 1000);
    expect(verifyToken(out[0]!, loadVerificationKey({ DATA_DIR: dataDir }), now)).toEqual({
      subject: 'carrier-cmcc',
      role: 'carrier:CMCC',
      kind: RoleKind.Carrier,
      scope: 'CMCC',
      expiresAt: expect.any(Number),
    });
    expect(() => verifyToken(out[0]!, loadVerificationKey({ DATA_DIR: dataDir }), now + 2 * 3600 + 60)).toThrow(
      /expired/,
    );
  });

  it('takes a subject', () => {
    const { out } = mint('--role', 'police', '--subject', 'officer-7');
    expect(verifyToken(out[0]!, loadVerificationKey({ DATA_DIR: dataDir })).subject).toBe('officer-7');
  });

  it('refuses unknown roles and options with usage, status 2', () => {
    expect(mint('--role', 'root')).toMatchObject({
      status: 2,
      out: [],
      err: [expect.stringContaining('unknown role "root"'), expect.stringMatching(/^usage:/)],
    });
    expect(mint()).toMatchObject({
      status: 2,
      err: ['mint-token: --role is required', expect.stringMatching(/^usage:/)],
    });
    expect(mint('--role', 'police', '--bogus')).toMatchObject({ status: 2 });
    expect(mint('--role', 'police', '--ttl', 'forever')).toMatchObject({ status: 2 });
  });

  it('reads durations', () => {
    expect(parseTtl('3600')).toBe(3600);
    expect(parseTtl('45s')).toBe(45);
    expect(parseTtl('30m')).toBe(1800);
    expect(parseTtl('8h')).toBe(28800);
    expect(parseTtl('2d')).toBe(172800);
    expect(() => parseTtl('0')).toThrow();
    expect(() => parseTtl('31d')).toThrow(/30 days/);
    expect(() => parseTtl('1.5h')).toThrow();
  });
});
