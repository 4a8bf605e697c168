import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSigningKeys, loadVerificationKey } from '../libs/grpc/src/auth/keys';
import { verifyToken } from '../libs/grpc/src/auth/token';
import { run } from './report';

/** A stand-in for the admin's GET /api/reports/monthly: what it was asked, and a fixed answer per format. */
function fakeAdmin(): Promise<{ server: Server; url: string; asked: { url: string; token: string }[] }> {
  const asked: { url: string; token: string }[] = [];
  const server = createServer((request, response) => {
    asked.push({ url: request.url!, token: (request.headers.authorization ?? '').replace(/^Bearer /, '') });
    const format = new URL(request.url!, 'http://x').searchParams.get('format');
    if (format === 'json') {
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify({
          provisional: true,
          totals: { actions: { suspensions: 41 }, mistaken: 15, appeals: { upheld: 5 } },
        }),
      );
    } else if (format === 'pdf') response.end('%PDF-1.4 fake');
    else response.end('<!doctype html><p>report</p>');
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked }),
    ),
  );
}

describe('npm run report', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'report-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const report = async (argv: string[], env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await run(argv, {
      env: { DATA_DIR: dataDir, ...env },
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { status, out, err };
  };

  it.each([
    [['--month', '2026-13'], '--month "2026-13" is not a month: use YYYY-MM'],
    [['--month', '2026-1'], '--month "2026-1" is not a month'],
    [['--month', 'november'], '--month "november" is not a month'],
    [[], '--month is required'],
    [['--month', '2026-11', '--format', 'docx'], '--format "docx": use html, pdf or html,pdf'],
    [['--month', '2026-11', '--colour'], "Unknown option '--colour'"],
  ])('refuses %j with exit 2, naming the flag', async (argv, message) => {
    const { status, err } = await report(argv);
    expect(status).toBe(2);
    expect(err[0]).toContain(message);
    expect(err[1]).toMatch(/^usage: npm run report -- --month YYYY-MM/);
  });

  it('says how to reach an admin when no stack is running', async () => {
    const { status, err } = await report(['--month', '2026-11']);
    expect(status).toBe(1);
    expect(err[0]).toMatch(/names no dashboard \(start the stack with npm start, or pass --url/);
  });

  it('says so when the admin cannot be reached', async () => {
    const { status, err } = await report(['--month', '2026-11', '--url', 'http://127.0.0.1:1', '--token', 't']);
    expect(status).toBe(1);
    expect(err[0]).toMatch(/cannot reach the admin at http:\/\/127\.0\.0\.1:1 .*is npm start running\?/);
  });

  it('follows stack.json with an analyst token from its signing key, and writes both files', async () => {
    const admin = await fakeAdmin();
    try {
      const keyDir = join(dataDir, 'stack-keys');
      mkdirSync(keyDir);
      loadOrCreateSigningKeys(keyDir);
      writeFileSync(join(dataDir, 'stack.json'), JSON.stringify({ dashboard: `${admin.url}/`, keyDir }));

      const { status, out, err } = await report(['--month', '2026-11']);
      expect(status).toBe(0);
      const reports = join(dataDir, 'reports');
      expect(out).toEqual([join(reports, 'report-2026-11.html'), join(reports, 'report-2026-11.pdf')]);
      expect(readFileSync(out[0]!, 'utf8')).toBe('<!doctype html><p>report</p>');
      expect(readFileSync(out[1]!, 'latin1')).toBe('%PDF-1.4 fake');
      expect(err).toEqual([
        'report: 2026-11 (provisional: the month is not over): 41 suspensions, 15 mistaken, 5 appeals upheld',
      ]);
      expect(admin.asked.map((a) => a.url)).toEqual([
        '/api/reports/monthly?month=2026-11&format=json',
        '/api/reports/monthly?month=2026-11&format=html',
        '/api/reports/monthly?month=2026-11&format=pdf',
      ]);
      const claims = verifyToken(
        admin.asked[0]!.token,
        loadVerificationKey({ AUTH_KEY_DIR: keyDir }),
        Date.now() / 1000,
      );
      expect(claims).toMatchObject({ role: 'analyst', subject: 'monthly-report' });
    } finally {
      admin.server.close();
    }
  });

  it('takes --url, --token, --out and one format; passes the admin’s refusal on', async () => {
    const admin = await fakeAdmin();
    try {
      const out = join(dataDir, 'elsewhere');
      const answer = await report([
        '--month',
        '2026-10',
        '--url',
        admin.url,
        '--token',
        'tok',
        '--out',
        out,
        '--format',
        'pdf',
      ]);
      expect(answer.status).toBe(0);
      expect(answer.out).toEqual([join(out, 'report-2026-10.pdf')]);
      expect(admin.asked.every((a) => a.token === 'tok')).toBe(true);
    } finally {
      admin.server.close();
    }

    const refusing = createServer((_request, response) => {
      response.statusCode = 400;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ error: 'OUT_OF_RANGE', message: 'month: 2999-01 has not begun', field: 'month' }));
    });
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
      const { status, err } = await report(['--month', '2999-01', '--url', url, '--token', 'tok']);
      expect(status).toBe(1);
      expect(err).toEqual(['report: the admin refused the report (HTTP 400): month: 2999-01 has not begun']);
    } finally {
      refusing.close();
    }
  });
});
