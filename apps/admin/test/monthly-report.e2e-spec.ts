import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { admin } from '@app/contracts';
import { cstDay } from '../src/oversight/day-range';
import { PHONE_NUMBER } from '../src/reports/monthly-report.html';
import { run as runReport } from '../../../scripts/report';
import { aCalleeWarningsItem, aCountItem, aDecisionItem, AdminHarness } from './admin-harness';

/** A Timestamp for a China Standard Time wall-clock time. */
const cst = (local: string) => {
  const ms = Date.parse(`${local}+08:00`);
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
};
const plain: admin.CarrierDecision['evidence'] = {
  summary: '',
  windowStart: undefined,
  windowEnd: undefined,
  measures: [],
  cells: [],
};
const decision = (msisdn: string, action: string, reasons: string[], at: string, policy = 'default@3') =>
  aDecisionItem(msisdn, `ACTION_${action}`, { reasons, at: cst(at), policy, evidence: plain });
/** The PDF's first page, kept to look at (as the dashboard test keeps its screenshot). */
const PAGE_ONE = join(__dirname, '../../../.data/monthly-report-page1.png');
const ctccNumber = (i: number) => `+86191000${String(i).padStart(5, '0')}`;

/**
 * February 2024 (CST), many numbers:
 *   CTCC: 40 suspensions (CALL_BURST) on 02-10 10:00; of them 10 restored POLICE_CLEARED after 24 h, 5 APPEAL_UPHELD
 *         after 48 h, 5 ID_VERIFIED after 2 h, 20 never; one more suspension 02-29 23:30 (still February in CST)
 *         and one 03-01 00:30 (March); one WARN fed on 02-05, for which its own count says 25 (CALL_BURST);
 *         callee warnings 12 on 02-06 and 4 on 03-01; NEW_SEGMENT demoted 02-20 10:00.
 *   CMCC: 2 restrictions (CORROBORATED_REPORTS) on 02-15.
 */
async function submitFixture(harness: AdminHarness): Promise<void> {
  const items: admin.FeedItem[] = [];
  for (let i = 0; i < 40; i++) {
    items.push(decision(ctccNumber(i), 'SUSPEND', ['CALL_BURST'], '2024-02-10T10:00:00'));
    if (i < 10) items.push(decision(ctccNumber(i), 'RESTORE', ['POLICE_CLEARED'], '2024-02-11T10:00:00'));
    else if (i < 15) items.push(decision(ctccNumber(i), 'RESTORE', ['APPEAL_UPHELD'], '2024-02-12T10:00:00'));
    else if (i < 20) items.push(decision(ctccNumber(i), 'RESTORE', ['ID_VERIFIED'], '2024-02-10T12:00:00'));
  }
  items.push(
    decision(ctccNumber(98), 'SUSPEND', ['CALL_BURST'], '2024-02-29T23:30:00'),
    decision(ctccNumber(99), 'SUSPEND', ['CALL_BURST'], '2024-03-01T00:30:00'),
    decision(ctccNumber(97), 'WARN', ['CALL_BURST'], '2024-02-05T09:00:00'),
    aCountItem({
      day: '2024-02-05',
      policy: 'default@3',
      action: 'ACTION_WARN' as admin.DailyCount['action'],
      reason: 'CALL_BURST',
      count: 25,
    }),
    aCalleeWarningsItem({ day: '2024-02-06', policy: 'default@3', count: 12 }),
    aCalleeWarningsItem({ day: '2024-03-01', policy: 'default@3', count: 4 }),
    {
      idempotencyKey: 'demotion-default@3-NEW_SEGMENT',
      ruleDemotion: {
        policy: 'default@3',
        reason: 'NEW_SEGMENT',
        demotedAt: cst('2024-02-20T10:00:00'),
        mistakes: 3,
        actions: 40,
        windowDays: 30,
        reenabledAt: undefined,
        reenabledBy: '',
        why: '',
      },
    },
  );
  await harness.client('carrier:CTCC').submitCarrierFeed({ items });
  await harness.client('carrier:CMCC').submitCarrierFeed({
    items: [
      decision('+8613800000001', 'RESTRICT', ['CORROBORATED_REPORTS'], '2024-02-15T10:00:00', 'cmcc@1'),
      decision('+8613800000002', 'RESTRICT', ['CORROBORATED_REPORTS'], '2024-02-15T11:00:00', 'cmcc@1'),
    ],
  });
}

/** The bytes of a GET as `role`. */
async function download(harness: AdminHarness, path: string, role: string) {
  const response = await fetch(`${harness.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${harness.token(role)}` },
  });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

/** Width, height and the share of dark pixels of an 8-bit grey, RGB or RGBA PNG (its chunks checked on the way). */
function decodePng(png: Buffer): { width: number; height: number; darkShare: number } {
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let header: Buffer | undefined;
  const data: Buffer[] = [];
  let ended = false;
  while (offset < png.length && !ended) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const chunk = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') header = chunk;
    if (type === 'IDAT') data.push(chunk);
    if (type === 'IEND') ended = true;
    offset += 12 + length;
  }
  expect(ended).toBe(true);
  const width = header!.readUInt32BE(0);
  const height = header!.readUInt32BE(4);
  const [depth, colour] = [header![8], header![9]];
  expect(depth).toBe(8);
  const channels = ({ 0: 1, 2: 3, 6: 4 } as Record<number, number>)[colour!]!;
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const left = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const up = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? pixels[(y - 1) * stride + x - channels]! : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [a, b, c] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return a <= b && a <= c ? left : b <= c ? up : upLeft;
      };
      const predicted = [0, left, up, (left + up) >> 1, paeth()][filter]!;
      pixels[y * stride + x] = (value + predicted) & 0xff;
    }
  }
  let dark = 0;
  for (let i = 0; i < pixels.length; i += channels) if (pixels[i]! < 160) dark++;
  return { width, height, darkShare: dark / (width * height) };
}

describe('Monthly public report over HTTP: HTML, PDF and figures, no phone number (e2e)', () => {
  let harness: AdminHarness;
  let work: string;

  beforeAll(async () => {
    harness = await AdminHarness.start();
    await submitFixture(harness);
    work = mkdtempSync(join(tmpdir(), 'monthly-report-'));
    mkdirSync(dirname(PAGE_ONE), { recursive: true });
  });
  afterAll(async () => {
    await harness.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('has the figures of the month in China Standard Time, per carrier and reason', async () => {
    const { status, body } = await harness.get<Record<string, unknown>>(
      '/api/reports/monthly?month=2024-02&format=json',
      'analyst',
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      month: '2024-02',
      from: '2024-02-01',
      to: '2024-02-29',
      province: 'sichuan',
      provisional: false,
      totals: {
        actions: { warnings: 1, restrictions: 2, suspensions: 41, restorations: 20 },
        mistaken: 15,
        mistakenKillRate: 15 / 41,
        // 5 × 2 h, 10 × 24 h, 5 × 48 h: nearest rank 10th and 18th
        restore: { restored: 20, stillSuspended: 21, hoursP50: 24, hoursP90: 48 },
        appeals: { upheld: 5, upheldOfMonthSuspensions: 5 },
        calleeWarnings: 12,
        demotions: 1,
        demotionsInForce: 1,
      },
    });
    const carriers = body.carriers as { carrier: string; reasons: unknown[]; restoresByReason: unknown[] }[];
    expect(carriers.map((c) => c.carrier)).toEqual(['CMCC', 'CTCC', 'CUCC']);
    expect(carriers[1]!.reasons).toEqual([
      {
        reason: 'CALL_BURST',
        warnings: 25,
        restrictions: 0,
        suspensions: 41,
        mistaken: 15,
        mistakenKillRate: 15 / 41,
        restoreHoursP50: 24,
        restoreHoursP90: 48,
      },
    ]);
    expect(carriers[1]!.restoresByReason).toEqual([
      { reason: 'APPEAL_UPHELD', count: 5 },
      { reason: 'ID_VERIFIED', count: 5 },
      { reason: 'POLICE_CLEARED', count: 10 },
    ]);
    expect(JSON.stringify(body).match(PHONE_NUMBER)).toBeNull();
  });

  it('serves the HTML as a download, self-contained, with the figures and no phone number', async () => {
    const { status, headers, body } = await download(harness, '/api/reports/monthly?month=2024-02', 'admin:sichuan');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('content-disposition')).toBe('attachment; filename="report-2024-02.html"');
    const html = body.toString('utf8');
    expect(html).toContain('2024-02 涉诈号码处置月度公开报告');
    expect(html).toContain('<td>36.6%</td>'); // 15 of 41
    expect(html).toContain('<strong data-figure="callee-warnings">12</strong>');
    expect(html).toContain('NEW_SEGMENT');
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(html.match(PHONE_NUMBER)).toBeNull();
    expect(html).not.toMatch(/\+86|(?<!\d)1[3-9]\d{9}(?!\d)/);
  });

  it('marks the current month provisional; refuses a month not begun, a bad one, an unknown format', async () => {
    const now = cstDay(new Date()).slice(0, 7);
    const current = await harness.get<string>(`/api/reports/monthly?month=${now}`, 'analyst');
    expect(current.status).toBe(200);
    expect(current.body).toContain('data-provisional');

    const refusals: [string, string][] = [
      ['month=2999-01', 'month: 2999-01 has not begun'],
      ['month=2024-13', 'month: "2024-13" is not a month: use YYYY-MM'],
      ['', 'month: is required: use YYYY-MM'],
      ['month=2024-02&format=docx', 'format: "docx" is not a format: use html, pdf, json'],
    ];
    for (const [query, message] of refusals) {
      const answer = await harness.get<{ message: string }>(`/api/reports/monthly?${query}`, 'analyst');
      expect([query, answer.status, answer.body.message.slice(0, message.length)]).toEqual([query, 400, message]);
    }
  });

  it('refuses a police or carrier token and another province’s administration, audited as every refusal', async () => {
    const roles: [string, number][] = [
      ['police', 403],
      ['carrier:CTCC', 403],
      ['auditor', 403],
      ['admin:guangdong', 403],
      ['admin:sichuan', 200],
      ['analyst', 200],
    ];
    const answers = await Promise.all(
      roles.map(async ([role]) => (await harness.get(`/api/reports/monthly?month=2024-02&format=json`, role)).status),
    );
    expect(answers).toEqual(roles.map(([, expected]) => expected));
    expect((await harness.get('/api/reports/monthly?month=2024-02')).status).toBe(401);
    const audited = await harness.sql<{ actor: string; outcome: string }>(
      `SELECT actor, outcome FROM audit_event WHERE action = 'HTTP GET /api/reports/monthly' ORDER BY actor`,
    );
    expect(audited).toEqual(
      expect.arrayContaining([
        { actor: 'police', outcome: 'PERMISSION_DENIED' },
        { actor: 'carrier-CTCC', outcome: 'PERMISSION_DENIED' },
        { actor: 'admin-guangdong', outcome: 'PERMISSION_DENIED' },
      ]),
    );
  });

  it('npm run report writes the report the admin serves', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const argv = ['--month', '2024-02', '--url', harness.baseUrl, '--token', harness.token('analyst')];
    const status = await runReport([...argv, '--out', work, '--format', 'html'], {
      env: {},
      out: (line) => out.push(line),
      err: (line) => err.push(line),
    });
    expect([status, out, err]).toEqual([
      0,
      [join(work, 'report-2024-02.html')],
      ['report: 2024-02: 41 suspensions, 15 mistaken, 5 appeals upheld'],
    ]);
    const html = readFileSync(out[0]!, 'utf8');
    expect(html).toContain('2024-02 涉诈号码处置月度公开报告');
    expect(html).toContain('<td>36.6%</td>');
    expect(html.match(PHONE_NUMBER)).toBeNull();
  });

  // Last: printing takes seconds, long enough for the server to drop an idle kept-alive socket of the others.
  it('prints the PDF with chromium: a real PDF whose first page renders to a non-blank PNG', async () => {
    const { status, headers, body } = await download(
      harness,
      '/api/reports/monthly?month=2024-02&format=pdf',
      'analyst',
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/pdf');
    expect(headers.get('content-disposition')).toBe('attachment; filename="report-2024-02.pdf"');
    expect(body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = join(work, 'report.pdf');
    writeFileSync(pdf, body);

    // poppler-utils (.ci/run installs it): the page count, the text, and page 1 as a PNG.
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    expect(Number(/Pages:\s+(\d+)/.exec(info)?.[1])).toBeGreaterThanOrEqual(2);
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain('涉诈号码处置月度公开报告');
    expect(text).toContain('CTCC');
    expect(text.match(PHONE_NUMBER)).toBeNull();
    expect(text).not.toMatch(/\+86|(?<!\d)1[3-9]\d{9}(?!\d)/);

    execFileSync('pdftoppm', ['-png', '-r', '100', '-f', '1', '-l', '1', '-singlefile', pdf, PAGE_ONE.slice(0, -4)]);
    const png = decodePng(readFileSync(PAGE_ONE));
    // A4 at 100 dpi: about 827 × 1169.
    expect(png.width).toBeGreaterThan(700);
    expect(png.width).toBeLessThan(950);
    expect(png.height / png.width).toBeCloseTo(297 / 210, 1);
    // Text and table lines, on mostly white paper.
    expect(png.darkShare).toBeGreaterThan(0.005);
    expect(png.darkShare).toBeLessThan(0.5);
  });
});
