import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Locator, type Page } from 'playwright-core';
import { UsageProfile, type CarrierEvent, type Msisdn } from '@app/domain';
import { AnalysisService } from '../../carrier/src/analysis/analysis.service';
import { CarrierHarness, ingest, toWire } from '../../carrier/test/carrier-harness';
import { eventually } from '../../carrier/test/linked-services';
import { RegistryHarness } from '../../registry/test/registry-harness';
import { aDecisionItem, AdminHarness, timestampIn } from './admin-harness';
import { launchChromium } from './browser';

const SCREENSHOT = join(__dirname, '../../../.data/dashboard-overview.png');

const DAY = 24 * 3_600_000;
/** CTCC subscribers (segment 191): one harasses CMCC's subscribers, one an analyst wants reviewed. */
const HARASSER = '+8619100007001';
const REVIEWED = '+8619100007002';
/** CMCC's own subscribers: one suspended and cleared by police (a mistaken kill), one suspended. */
const CLEARED = '+8613800007001';
const SUSPENDED = '+8613800007002';
const HARASSER_CELL = '460-00-4521-17';
const NEW_CELL = '460-03-9981-42';
const MISTYPED_CELL = '460-03-9981-24';

function ctccSubscribers(msisdns: string[]): CarrierEvent[] {
  const activatedAt = Date.parse('2020-06-01T00:00:00+08:00');
  return msisdns.map((msisdn) => ({
    type: 'subscriber',
    at: activatedAt,
    msisdn: msisdn as Msisdn,
    carrier: 'CTCC',
    activatedAt,
    realNameVerified: true,
    profile: UsageProfile.None,
  }));
}

/** What CMCC's feed says: a report on CTCC's number, and its own suspensions, one reversed by police. */
function cmccFeed() {
  const at = (ms: number) => ({ at: timestampIn(ms) });
  const report = aDecisionItem(HARASSER, 'ACTION_REPORT', { reasons: ['FOREIGN_HARASSMENT'], ...at(-2 * 3_600_000) });
  report.decision!.evidence!.cells = [{ cell: HARASSER_CELL, at: timestampIn(-2.5 * 3_600_000), activity: 'call' }];
  return [
    report,
    aDecisionItem(CLEARED, 'ACTION_SUSPEND', { reasons: ['CALL_BURST', 'LOW_ANSWER_RATE'], ...at(-5 * DAY) }),
    aDecisionItem(CLEARED, 'ACTION_RESTORE', {
      previous: 'ACTION_SUSPEND' as never,
      reasons: ['POLICE_CLEARED'],
      ...at(-4 * DAY),
    }),
    aDecisionItem(SUSPENDED, 'ACTION_SUSPEND', { reasons: ['SEQUENTIAL_DIALLING'], ...at(-3 * DAY) }),
    // Its error budget spent by the police clearance (and others before), CMCC's policy demoted LOW_ANSWER_RATE.
    {
      idempotencyKey: 'CMCC-demotion-cmcc@1-LOW_ANSWER_RATE',
      ruleDemotion: {
        policy: 'cmcc@1',
        reason: 'LOW_ANSWER_RATE',
        demotedAt: timestampIn(-4 * DAY),
        mistakes: 3,
        actions: 20,
        windowDays: 30,
        reenabledAt: undefined,
        reenabledBy: '',
        why: '',
      },
    },
  ];
}

/** What the test reads of a chart: chart.js's own record of it (Chart.getChart). */
interface DrawnChart {
  data: { datasets: { label: string; data: (number | null)[] }[] };
}

/** Per carrier, the sum of a chart's points (after the chart drew them on a canvas with visible pixels). */
async function chartTotals(page: Page, testId: string): Promise<Record<string, number>> {
  // The callback runs in the page; the project's TypeScript has no DOM types, so they stay untyped here.
  return page.getByTestId(testId).evaluate((canvas, id) => {
    const chart = (
      canvas.ownerDocument.defaultView as { Chart: { getChart(c: unknown): DrawnChart | undefined } }
    ).Chart.getChart(canvas);
    const pixels: Uint8ClampedArray = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
    if (!chart || painted < 1000) throw new Error(`${id} drew nothing (${painted} pixels)`);
    return Object.fromEntries(
      chart.data.datasets.map((d) => [d.label, d.data.reduce<number>((sum, v) => sum + (v ?? 0), 0)]),
    );
  }, testId);
}

/** Clicks `refresh` until `row` says `text` (the list changes as the carrier acknowledges). */
async function refreshUntil(refresh: Locator, row: Locator, text: RegExp): Promise<void> {
  await eventually(
    async () => {
      await refresh.click();
      return (await row.textContent()) ?? '';
    },
    (content) => text.test(content),
  );
}

describe('the analysts’ dashboard in headless Chromium, on a registry, the admin and a carrier', () => {
  let keyDir: string;
  let registry: RegistryHarness;
  let admin: AdminHarness;
  let ctcc: CarrierHarness;
  let browser: Browser;
  /** Uncaught errors in the page: errors are shown, never thrown away. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'dashboard-keys-'));
    registry = await RegistryHarness.start({ keyDir });
    // One reporting carrier is enough for a SUSPEND directive, so the case follows from CMCC's one report.
    admin = await AdminHarness.start({
      keyDir,
      env: { REGISTRY_ADDRESS: registry.address, ADMIN_SUSPEND_AFTER_CARRIERS: '1' },
    });
    ctcc = await CarrierHarness.start('CTCC', {
      keyDir,
      env: {
        OUTBOX_INTERVAL_MS: '50',
        ADMIN_RETRY_MAX_MS: '500',
        REGISTRY_ADDRESS: registry.address,
        ADMIN_ADDRESS: admin.address,
      },
    });
    expect(await ingest(ctcc.client(), toWire(ctccSubscribers([HARASSER, REVIEWED])))).toMatchObject({ rejected: 0 });
    expect(await admin.client('carrier:CMCC').submitCarrierFeed({ items: cmccFeed() })).toMatchObject({ accepted: 5 });
    // The administration directs CTCC, which suspends its subscriber and feeds that decision back.
    await eventually(
      () => admin.client('admin:sichuan').lookupNumber({ msisdn: HARASSER, purpose: 'test set-up: wait for the case' }),
      (found) => found.decisions.some((d) => d.carrier === 'CTCC') && found.case !== undefined,
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await ctcc?.close();
    await admin?.close();
    await registry?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  afterEach(() => expect(pageErrors.splice(0)).toEqual([]));

  /** A fresh page (its own sessionStorage and localStorage) at 1280×800, logged in with `role`'s token. */
  async function logIn(role: string, subject: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(admin.baseUrl);
    await page.getByLabel('角色令牌').fill(admin.token(role, subject));
    await page.getByTestId('login-submit').click();
    await page.getByTestId('whoami').filter({ hasText: role }).waitFor();
    return page;
  }

  it('an admin sees filled charts, looks a number up, issues a directive, adds a cell the carrier gets', async () => {
    const page = await logIn('admin:sichuan', 'duty-officer-3');
    expect(await page.getByTestId('whoami').textContent()).toBe('duty-officer-3（admin:sichuan）');

    // Overview: the last 30 days by default, per carrier.
    await page.getByTestId('quality-table').getByRole('cell', { name: 'CMCC' }).waitFor();
    expect(await chartTotals(page, 'chart-flags')).toEqual({ CMCC: 3, CUCC: 0, CTCC: 1, CBN: 0 });
    expect(await chartTotals(page, 'chart-suspensions')).toEqual({ CMCC: 2, CUCC: 0, CTCC: 1, CBN: 0 });
    expect(await chartTotals(page, 'chart-restorations')).toEqual({ CMCC: 1, CUCC: 0, CTCC: 0, CBN: 0 });
    // The day of CLEARED's suspension: 1 of 1 reversed by the police.
    expect(await chartTotals(page, 'chart-mistaken')).toEqual({ CMCC: 100, CUCC: 0, CTCC: 0, CBN: 0 });
    const cmccQuality = page.getByTestId('quality-table').getByRole('row').filter({ hasText: 'CMCC' });
    expect(await cmccQuality.locator('td').allTextContents()).toEqual(['CMCC', '2', '1', '50.0%', '24.0', '24.0']);
    const demoted = page.getByTestId('demoted-rules-table').getByRole('row').filter({ hasText: 'CMCC' });
    const demotedCells = await demoted.locator('td').allTextContents();
    expect([demotedCells[0], demotedCells[1], demotedCells[4], demotedCells[5], demotedCells[6]]).toEqual([
      'CMCC',
      'cmcc@1',
      '3',
      '20',
      '降权中（最高至提醒）',
    ]);
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // The CSV export is fetched with the token, then saved.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-quality').click()]);
    expect(download.suggestedFilename()).toMatch(/^quality-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(readFileSync(await download.path(), 'utf8')).toMatch(/^CMCC,ALL,2,1,0\.5/m);

    // Number look-up: the purpose is required (audited); then every carrier's decisions, cells, directive and case.
    await page.getByTestId('tab-lookup').click();
    const lookup = page.getByRole('tabpanel', { name: '号码查询' });
    await lookup.getByLabel('号码', { exact: true }).fill('19100007001');
    await page.getByTestId('lookup-submit').click();
    expect(await page.getByTestId('lookup-error').textContent()).toBe('请填写查询目的：查询会被审计。');
    await lookup.getByLabel('查询目的（必填）').fill('complaint 2024-117 from CMCC subscribers');
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('lookup-case').getByText('案件编号').waitFor();
    expect(await page.getByTestId('lookup-owner').textContent()).toBe('+8619100007001 · 归属运营商：CTCC');
    // The registry's status beside the carriers' steps (CTCC's suspension flags it,
    // unless that flag is still on its way).
    expect(await page.getByTestId('lookup-registry').textContent()).toMatch(/^涉诈号码库：(涉诈嫌疑|未列入)$/);
    const decisions = page.getByTestId('lookup-decisions').locator('tbody tr');
    const cmccReport = await decisions.filter({ hasText: 'CMCC' }).textContent();
    expect(cmccReport).toContain('跨网举报');
    // Reasons in plain language, with their code.
    expect(cmccReport).toContain('他网号码骚扰本网用户，已报送通信管理局 (FOREIGN_HARASSMENT)');
    expect(cmccReport).toContain(`${HARASSER_CELL} `);
    expect(await decisions.filter({ hasText: 'CTCC' }).textContent()).toMatch(/无 → 停机.*DIRECTIVE/);
    expect(await page.getByTestId('lookup-directives').locator('tbody tr').first().textContent()).toMatch(
      /停机.*CTCC.*已执行/,
    );
    expect(await page.getByTestId('lookup-case').textContent()).toContain('状态处理中');
    // The case's events, which the server writes in English, read in Chinese.
    const events = (await page.getByTestId('lookup-case').locator('tbody').textContent()) ?? '';
    expect(events).toMatch(/向 CTCC 下达停机指令 \S+：/);
    expect(events).toMatch(/CTCC 已执行停机指令 \S+/);
    expect(events).not.toMatch(/ directive | by CMCC| issued to /);

    // Directives: issued to the owning carrier, which reviews the number and acknowledges.
    await page.getByTestId('tab-directives').click();
    await page.getByTestId('directive-msisdn').fill('19100007002');
    await page.getByTestId('directive-kind').selectOption('REVIEW');
    await page.getByTestId('directive-reason').fill('analyst review: complaint 2024-118');
    await page.getByTestId('directive-submit').click();
    await page.getByTestId('directive-status').filter({ hasText: '已向 CTCC 下达指令' }).waitFor();
    const issued = page.getByTestId('directives-table').locator('tbody tr').filter({ hasText: 'complaint 2024-118' });
    expect(await issued.textContent()).toMatch(/核查\+8619100007002CTCC/);
    await refreshUntil(page.getByTestId('directives-refresh'), issued, /已执行.*reviewed under/);

    // High-risk cells: a new list version, pushed to the carrier, whose engine then knows the cell.
    await page.getByTestId('tab-cells').click();
    await page.getByTestId('cells-table').locator('table').waitFor();
    const versionBefore = Number(await page.getByTestId('cells-version').textContent());
    const cells = page.getByRole('tabpanel', { name: '高风险基站' });
    await cells.getByLabel('基站（MCC-MNC-LAC-CI）').fill(NEW_CELL);
    await cells.getByLabel('理由', { exact: true }).fill('fraud den, police report 2024-31');
    await cells.getByLabel('来源').fill('police:chengdu');
    await cells.getByLabel('有效天数').fill('30');
    await page.getByTestId('cell-submit').click();
    await page.getByTestId('cells-table').getByText(NEW_CELL).waitFor();
    expect(Number(await page.getByTestId('cells-version').textContent())).toBe(versionBefore + 1);
    const engine = ctcc.app.get(AnalysisService).state;
    await eventually(
      async () => engine.isHighRiskCell(NEW_CELL, Date.now()),
      (known) => known,
    );
  });

  it('an analyst edits the cell list, sees the directive form disabled, and the server’s 403 when forced', async () => {
    const page = await logIn('analyst', 'analyst-7');
    await page.getByTestId('tab-directives').click();
    expect(await page.getByTestId('directive-submit').isDisabled()).toBe(true);
    expect(await page.getByTestId('directive-role-note').isVisible()).toBe(true);
    // Analysts keep the high-risk cell list: one added by mistake is removed, with a reason.
    await page.getByTestId('tab-cells').click();
    await page.getByTestId('cells-table').locator('table').waitFor();
    const versionBefore = Number(await page.getByTestId('cells-version').textContent());
    await page.getByTestId('cell-id').fill(MISTYPED_CELL);
    await page.getByTestId('cell-reason').fill('reported by a caller');
    await page.getByTestId('cell-source').fill('analyst-7');
    await page.getByTestId('cell-submit').click();
    await page.getByRole('button', { name: `移除 ${MISTYPED_CELL}` }).click();
    await page.getByTestId('cell-remove-confirm').click();
    expect(await page.getByTestId('cell-remove-error').textContent()).toBe('请填写移除理由。');
    await page.getByRole('dialog').getByLabel('移除理由').fill('wrong cell id, see ticket 88');
    await page.getByTestId('cell-remove-confirm').click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    expect(Number(await page.getByTestId('cells-version').textContent())).toBe(versionBefore + 2);
    expect(await page.getByTestId('cells-table').textContent()).not.toContain(MISTYPED_CELL);

    // Forced past the disabled form, the request is refused by the server, and the page says so.
    await page.getByTestId('tab-directives').click();
    await page
      .getByTestId('directive-form')
      .locator('fieldset')
      .evaluate((fieldset) => {
        fieldset.disabled = false;
      });
    await page.getByTestId('directive-msisdn').fill('19100007002');
    await page.getByTestId('directive-reason').fill('an analyst trying');
    await page.getByTestId('directive-submit').click();
    await page.getByTestId('directive-error').filter({ hasText: '403' }).waitFor();
    expect(await page.getByTestId('directive-error').textContent()).toBe('无权限（403）：当前角色不能执行此操作。');
    expect(
      (
        await admin.http('POST', '/api/directives', {
          role: 'analyst',
          body: { msisdn: REVIEWED, kind: 'REVIEW', reason: 'x' },
        })
      ).status,
    ).toBe(403);

    // English on request, remembered across a reload, as is the session.
    await page.getByTestId('lang-en').click();
    expect(await page.getByTestId('tab-overview').textContent()).toBe('Overview');
    await page.reload();
    await page.getByTestId('whoami').filter({ hasText: 'analyst-7 (analyst)' }).waitFor();
    expect(await page.getByTestId('tab-directives').getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('directive-role-note').textContent()).toMatch(/^Only the provincial administration/);

    // Logging out forgets the token: the next visitor starts at the login form.
    await page.getByTestId('logout').click();
    await page.getByLabel('Role token').waitFor();
    expect(await page.getByTestId('whoami').isVisible()).toBe(false);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
  });
});
