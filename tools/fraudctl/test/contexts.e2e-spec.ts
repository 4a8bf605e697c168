import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '@app/config';
import { freePort } from '@app/testing';
import { CarrierHarness } from '../../../apps/carrier/test/carrier-harness';
import { ExitCode, run } from '../src/cli';

interface Outcome {
  code: ExitCode;
  out: string;
  err: string;
}

/**
 * fraudctl's own settings against a real carrier (CTCC, its own PostgreSQL): version and whoami (no server),
 * contexts in a config file, the running stack's stack.json, and which wins.
 */
describe('fraudctl version, whoami, context and stack.json (against a real carrier)', () => {
  let carrier: CarrierHarness;
  let dir: string;
  let base: Env;
  let unreachable: string;
  const callCheck = ['check', '--carrier', 'CTCC', '--from', '19112345678', '--to', '13800000002'];

  const fraudctl = async (argv: string[], env: Env = {}): Promise<Outcome> => {
    let out = '';
    let err = '';
    const code = await run(argv, {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: { ...base, ...env },
    });
    return { code, out, err };
  };
  const json = async <T = Record<string, unknown>>(argv: string[], env: Env = {}): Promise<T> => {
    const result = await fraudctl([...argv, '--json'], env);
    expect(result).toMatchObject({ code: ExitCode.Ok, err: '' });
    return JSON.parse(result.out) as T;
  };

  beforeAll(async () => {
    carrier = await CarrierHarness.start('CTCC');
    unreachable = `127.0.0.1:${await freePort()}`;
  });
  afterAll(() => carrier?.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fraudctl-settings-'));
    // No address, no key: each test says where they come from. DATA_DIR has no stack.json until a test writes one.
    base = { FRAUDCTL_CONFIG: join(dir, 'fraudctl', 'config.json'), DATA_DIR: join(dir, 'data'), HOME: dir };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('version prints the package version, the commit and Node, as a table or JSON', async () => {
    const info = await json<{ version: string; commit: string; node: string }>(['version']);
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    const head = spawnSync('git', ['rev-parse', '--short=12', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    expect(info).toEqual({
      version: pkg.version,
      commit: expect.stringMatching(new RegExp(`^${head}(-dirty)?$`)),
      node: process.version,
    });
    const text = await fraudctl(['version']);
    expect(text.out).toMatch(new RegExp(`^fraudctl +${pkg.version.replace(/\./g, '\\.')}\\ncommit +${head}`));
    expect(text.out).toContain(`node      ${process.version}`);
  });

  it('whoami decodes the token it would use, without a server: role, subject, scope, expiry, source', async () => {
    const keys = { AUTH_KEY_DIR: carrier.keyDir };
    const minted = await json<Record<string, unknown>>(['whoami', '--role', 'carrier:CTCC'], keys);
    expect(minted).toMatchObject({
      role: 'carrier:CTCC',
      subject: 'fraudctl-carrier-ctcc',
      carrier: 'CTCC',
      province: null,
      issuer: 'fraudctl',
      expired: false,
      source: expect.stringContaining('minted a 5-minute carrier:CTCC token from the signing key in'),
    });
    const police = (await fraudctl(['token', 'police', '--subject', 'officer-7', '--ttl', '2h'], keys)).out.trim();
    const text = await fraudctl(['whoami', '--token', police], { ...keys, ADMIN_ADDRESS: unreachable });
    expect(text).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(text.out).toMatch(/^role +police$/m);
    expect(text.out).toMatch(/^subject +officer-7$/m);
    expect(text.out).toMatch(/^expires +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+08:00 \(in 11[89] min\)$/m);
    expect(text.out).toMatch(/^source +--token$/m);
    const admin = await json(['whoami'], { ...keys, ADMIN_PROVINCE: 'guizhou' });
    expect(admin).toMatchObject({ role: 'admin:guizhou', province: 'guizhou', carrier: null });

    const past = Math.floor(Date.now() / 1000) - 60;
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const expiredToken = `${part({ alg: 'EdDSA' })}.${part({ sub: 'old', role: 'analyst', exp: past })}.sig`;
    const expired = await fraudctl(['whoami', '--role', 'analyst'], { ANALYST_TOKEN: expiredToken });
    expect(expired.out).toMatch(/^expires +.* \(EXPIRED\)$/m);
    expect(expired.out).toMatch(/^source +ANALYST_TOKEN$/m);
    expect(await json(['whoami', '--token', expiredToken])).toMatchObject({ expired: true, subject: 'old' });
    const wizard = await fraudctl(['whoami', '--role', 'wizard']);
    expect(wizard.code).toBe(ExitCode.Usage);
    expect(wizard.err).toContain('unknown role "wizard"');
    const garbage = await fraudctl(['whoami', '--token', 'nonsense', '--json']);
    expect(garbage.code).toBe(ExitCode.Permission);
    expect(JSON.parse(garbage.err)).toEqual({
      error: { code: 'PERMISSION_DENIED', message: 'the token from --token is not a JSON Web Token' },
    });
  });

  it('context set/use/list/show/delete: contexts in a 0600 file; commands take settings from them', async () => {
    expect((await fraudctl(callCheck)).code).toBe(ExitCode.Permission); // no key, no token anywhere yet
    const set = await fraudctl([
      'context',
      'set',
      'local',
      '--carrier',
      `CTCC=${carrier.address}`,
      '--registry',
      '127.0.0.1:50051',
      '--key-dir',
      carrier.keyDir,
      '--use',
    ]);
    expect(set).toMatchObject({ code: ExitCode.Ok, err: '' });
    expect(set.out).toContain('Context "local" saved in');
    expect(statSync(base.FRAUDCTL_CONFIG!).mode & 0o777).toBe(0o600);
    const police = (await fraudctl(['token', 'police'], { AUTH_KEY_DIR: carrier.keyDir })).out.trim();
    await fraudctl([
      'context',
      'set',
      'remote',
      '--carrier',
      `ctcc=${unreachable}`,
      '--token',
      police,
      '--key-dir',
      carrier.keyDir,
    ]);

    const used = await fraudctl([...callCheck, '--verbose']);
    expect(used).toMatchObject({ code: ExitCode.Ok });
    expect(used.out).toMatch(/^verdict +ALLOW$/m);
    expect(used.err).toContain(`context local from ${base.FRAUDCTL_CONFIG}`);
    expect(used.err).toContain(`on carrier CTCC (${carrier.address})`);

    // Flags > environment variables > context.
    expect((await fraudctl(callCheck, { CARRIER_CTCC_ADDRESS: unreachable })).code).toBe(ExitCode.Unavailable);
    expect((await fraudctl(callCheck, { CARRIER_CTCC_PORT: unreachable.split(':')[1] })).code).toBe(
      ExitCode.Unavailable,
    );
    expect(
      (await fraudctl([...callCheck, '--carrier-addr', carrier.address], { CARRIER_CTCC_ADDRESS: unreachable })).code,
    ).toBe(ExitCode.Ok);
    expect((await fraudctl([...callCheck, '--context', 'remote'])).code).toBe(ExitCode.Unavailable);
    expect((await fraudctl(callCheck, { FRAUDCTL_CONTEXT: 'remote' })).code).toBe(ExitCode.Unavailable);

    const listed = await fraudctl(['context']);
    expect(listed.out).toMatch(/^CURRENT +NAME +REGISTRY +ADMIN +CARRIERS +TLS +AUTH$/m);
    expect(listed.out).toMatch(/^\* +local +127\.0\.0\.1:50051 +- +CTCC +no +key dir$/m);
    expect(listed.out).toMatch(/^ +remote +- +- +CTCC +no +token \(police\)$/m);
    const shown = await fraudctl(['context', 'show', 'remote']);
    expect(shown.out).toMatch(/^token +police token \(hidden\)$/m);
    expect(shown.out).not.toContain(police);
    expect(await json(['context', 'show'])).toMatchObject({
      name: 'local',
      current: true,
      addresses: { CARRIER_CTCC_ADDRESS: carrier.address, REGISTRY_ADDRESS: '127.0.0.1:50051' },
      keyDir: carrier.keyDir,
    });
    // The remote context's police token is used for the police role only, and named by whoami.
    expect(await json(['whoami', '--role', 'police', '--context', 'remote'])).toMatchObject({
      role: 'police',
      source: 'context remote',
    });

    expect((await fraudctl(['context', 'use', 'remote'])).out).toBe('Switched to context "remote".\n');
    expect((await fraudctl(callCheck)).code).toBe(ExitCode.Unavailable);
    expect((await fraudctl(['context', 'delete', 'remote'])).code).toBe(ExitCode.Ok);
    expect(await json(['context', 'list'])).toMatchObject({ current: null, contexts: [{ name: 'local' }] });
    const unknown = await fraudctl(['context', 'use', 'nowhere']);
    expect(unknown.code).toBe(ExitCode.Usage);
    expect(unknown.err).toContain('no context "nowhere"');
    expect((await fraudctl(['context', 'set', 'x', '--carrier', 'CTCC'])).err).toContain(
      '--carrier takes ID=HOST:PORT',
    );
  });

  it("reads a running stack's stack.json below the context; warns and ignores it when its pid is gone", async () => {
    const stack = (pid: number, tls = false) =>
      writeFileSync(
        join(base.DATA_DIR!, 'stack.json'),
        JSON.stringify({
          version: 1,
          pid,
          startedAt: new Date().toISOString(),
          tls,
          addresses: { CARRIER_CTCC_ADDRESS: carrier.address, REGISTRY_ADDRESS: unreachable },
          dashboard: 'http://127.0.0.1:8080/',
          keyDir: carrier.keyDir,
          caFile: null,
        }),
      );
    spawnSync('mkdir', ['-p', base.DATA_DIR!]);
    stack(process.pid);
    const shifted = await fraudctl([...callCheck, '--verbose']);
    expect(shifted.code).toBe(ExitCode.Ok);
    expect(shifted.err).toContain(`on carrier CTCC (${carrier.address})`);
    expect(shifted.err).toContain(`stack of pid ${process.pid}`);

    // A stack that says TLS without its CA is refused rather than called in plaintext.
    stack(process.pid, true);
    const noCa = await fraudctl(callCheck);
    expect(noCa.code).toBe(ExitCode.Other);
    expect(noCa.err).toContain('says its services speak TLS but names no CA file (caFile): set GRPC_TLS_CA');
    stack(process.pid);

    await fraudctl(['context', 'set', 'elsewhere', '--carrier', `CTCC=${unreachable}`, '--use']);
    expect((await fraudctl(callCheck)).code).toBe(ExitCode.Unavailable);
    await fraudctl(['context', 'delete', 'elsewhere']);

    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    stack(Number(gone.stdout));
    const stale = await fraudctl([...callCheck, '--verbose']);
    expect(stale.err.split('\n')[0]).toBe(
      `fraudctl: ignoring ${join(base.DATA_DIR!, 'stack.json')}: ` +
        `the stack that wrote it (pid ${gone.stdout}) is not running`,
    );
    expect(stale.err).not.toContain(carrier.address);
    expect(stale.code).toBe(ExitCode.Permission); // nor its key directory
  });
});
