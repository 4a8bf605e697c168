import { readFileSync } from 'node:fs';
import { type Browser, type Page } from 'playwright-core';
import { PHONE_NUMBER } from '../src/reports/monthly-report.html';
import { aDecisionItem, AdminHarness } from './admin-harness';
import { launchChromium } from './browser';

/** A Timestamp for a China Standard Time wall-clock time. */
const cst = (local: string) => ({ seconds: Math.floor(Date.parse(`${local}+08:00`) / 1000), nanos: 0 });

describe('Dashboard: the monthly report button of the Overview tab (e2e, chromium)', () => {
  let harness: AdminHarness;
  let browser: Browser;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    harness = await AdminHarness.start();
    await harness.client('carrier:CTCC').submitCarrierFeed({
      items: [
        aDecisionItem('+8619100000001', 'ACTION_SUSPEND', { reasons: ['CALL_BURST'], at: cst('2024-02-10T10:00:00') }),
        aDecisionItem('+8619100000001', 'ACTION_RESTORE', {
          reasons: ['POLICE_CLEARED'],
          at: cst('2024-02-11T10:00:00'),
        }),
      ],
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await harness?.close();
  });

  afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

  async function logIn(role: string, lang: 'zh' | 'en' = 'zh'): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The language the dashboard keeps in localStorage (i18n.js), set before its scripts run.
    await page.addInitScript(`localStorage.setItem('dashboard.lang', '${lang}')`);
    await page.goto(harness.baseUrl);
    await page.getByTestId('login-submit').waitFor();
    await page.getByTestId('login-token').fill(harness.token(role));
    await page.getByTestId('login-submit').click();
    await page.getByTestId('whoami').filter({ hasText: role }).waitFor();
    return page;
  }

  it('an analyst downloads the chosen month as HTML and as PDF, fetched with the token', async () => {
    const page = await logIn('analyst');
    const month = page.getByTestId('report-month');
    await month.waitFor();
    // The last month that has ended, by default.
    expect(await month.inputValue()).toMatch(/^\d{4}-\d{2}$/);
    expect(await page.getByTestId('report-html').getAttribute('aria-label')).toBe('下载所选月份的公开报告（HTML）');
    await month.fill('2024-02');

    const [html] = await Promise.all([page.waitForEvent('download'), page.getByTestId('report-html').click()]);
    expect(html.suggestedFilename()).toBe('report-2024-02.html');
    const text = readFileSync(await html.path(), 'utf8');
    expect(text).toContain('2024-02 涉诈号码处置月度公开报告');
    expect(text).toContain('<td>100.0%</td>'); // the one suspension, cleared by the police
    expect(text.match(PHONE_NUMBER)).toBeNull();

    const [pdf] = await Promise.all([
      page.waitForEvent('download', { timeout: 30_000 }),
      page.getByTestId('report-pdf').click(),
    ]);
    expect(pdf.suggestedFilename()).toBe('report-2024-02.pdf');
    expect(
      readFileSync(await pdf.path())
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');
    expect(await page.getByTestId('overview-error').textContent()).toBe('');
  });

  it('shows a refusal from the server (a month not begun) in the Overview’s error line, in English too', async () => {
    const page = await logIn('admin:sichuan', 'en');
    expect(await page.getByTestId('report-pdf').getAttribute('aria-label')).toBe(
      'Download the public report of the month chosen (PDF)',
    );
    await page.getByTestId('report-month').fill('2999-01');
    await page.getByTestId('report-html').click();
    await page.getByTestId('overview-error').filter({ hasText: '2999-01' }).waitFor();
  });

  it('offers no report to a carrier, which reads its own figures only', async () => {
    const page = await logIn('carrier:CTCC');
    await page.getByTestId('overview-refresh').waitFor();
    expect(await page.getByTestId('report-month').isVisible()).toBe(false);
    expect(await page.getByTestId('report-pdf').isVisible()).toBe(false);
  });
});
