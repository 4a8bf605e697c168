import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { eventually } from '../../carrier/test/linked-services';
import { aCalleeWarningsItem, aDecisionItem, AdminHarness, timestampIn } from './admin-harness';
import { launchChromium } from './browser';

const DAY = 24 * 3_600_000;
/** CMCC's subscribers: one suspended then cleared by police (a mistaken kill), one suspended and still so. */
const CLEARED = '+8613800008001';
const SUSPENDED = '+8613800008002';
/** A CTCC subscriber suspended and never restored: a carrier with no time to restore. */
const CTCC_SUSPENDED = '+8619100008003';
const LANGS = ['zh', 'en'] as const;
type Lang = (typeof LANGS)[number];

/** The China Standard Time day `ms` from now, YYYY-MM-DD. */
function cstDayIn(ms: number): string {
  return new Date(Date.now() + ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

const SUSPENDED_DAY = cstDayIn(-3 * DAY);

function cmccFeed() {
  const at = (ms: number) => ({ at: timestampIn(ms), policy: 'cmcc@1' });
  const suspension = aDecisionItem(SUSPENDED, 'ACTION_SUSPEND', {
    reasons: ['CALL_BURST', 'LOW_ANSWER_RATE'],
    ...at(-3 * DAY),
  });
  suspension.decision!.evidence!.measures = [
    { name: 'calls_10m', value: 42, threshold: 30 },
    { name: 'answer_rate_24h', value: 0.12, threshold: 0.3 },
  ];
  return [
    aDecisionItem(CLEARED, 'ACTION_SUSPEND', { reasons: ['CALL_BURST'], ...at(-5 * DAY) }),
    aDecisionItem(CLEARED, 'ACTION_RESTORE', {
      previous: 'ACTION_SUSPEND' as never,
      reasons: ['POLICE_CLEARED'],
      ...at(-4 * DAY),
    }),
    suspension,
    aCalleeWarningsItem({ day: cstDayIn(-2 * DAY), policy: 'cmcc@1', count: 7 }),
  ];
}

/** The texts each language must show, and the ones it must never show. */
const TEXT = {
  zh: {
    tabLookup: '号码查询',
    malformedNumber: '号码格式不正确。',
    noData: '无数据',
    separator: '；',
    reporters: '举报人数',
    carrierCount: '标记运营商数',
    decisionEvent: /^CMCC 停机：.*（策略 cmcc@1，评分 0\.8）$/,
    measures: '10 分钟外呼次数：42（阈值 30）；24 小时接通率：0.12（阈值 0.3）',
    forbidden: /^无权限（403）：当前角色不能执行此操作。$/,
  },
  en: {
    tabLookup: 'Number look-up',
    malformedNumber: 'The number is not valid.',
    noData: 'No data',
    separator: '; ',
    reporters: 'Reporters',
    carrierCount: 'Carriers flagging',
    decisionEvent: /^suspend by CMCC: .* \(policy cmcc@1, score 0\.8\)$/,
    measures: 'calls, 10 min: 42 (threshold 30); answer rate, 24 h: 0.12 (threshold 0.3)',
    forbidden: /^Not allowed \(403\): This role may not do this\.$/,
  },
} as const;

/** Page source: hides or shows the page as a browser does when its tab is switched (document.hidden). */
function showBrowserTab(visible: boolean): string {
  return `Object.defineProperty(document, 'hidden', { configurable: true, get: () => ${!visible} });
    document.dispatchEvent(new Event('visibilitychange'));`;
}

/**
 * Page source: what spills past the window, and which of a panel's boxes end right of the panel
 * (a table may scroll inside its own box; the box itself must stay in the card).
 */
function spillsPast(tab: string): string {
  return `(() => {
    const panel = document.querySelector('#panel-${tab}').getBoundingClientRect();
    const out = [];
    if (document.documentElement.scrollWidth > window.innerWidth)
      out.push('page ' + document.documentElement.scrollWidth + ' > ' + window.innerWidth);
    const boxes = '#panel-${tab} :is(section, figure, .kpi, .table-wrap, form, label, button, input, select, h3, p)';
    for (const node of document.querySelectorAll(boxes)) {
      const box = node.getBoundingClientRect();
      if (box.width > 0 && box.right > panel.right + 1)
        out.push(node.tagName + '.' + node.className + ' ends at ' + Math.round(box.right) + ' > ' + panel.right);
    }
    return out;
  })()`;
}

describe('the dashboard per role, in both languages: tabs, KPIs, no-data states, URL state, drill-down, layout', () => {
  let keyDir: string;
  let admin: AdminHarness;
  let browser: Browser;
  const pageErrors: string[] = [];
  /** Answers of 400 and above the pages received, as "status path" (a role offered a tab it may not use gets 403s). */
  const refusals: string[] = [];

  beforeAll(async () => {
    keyDir = mkdtempSync(join(tmpdir(), 'dashboard-ux-keys-'));
    admin = await AdminHarness.start({ keyDir });
    expect(await admin.client('carrier:CMCC').submitCarrierFeed({ items: cmccFeed() })).toMatchObject({ accepted: 4 });
    expect(
      await admin.client('carrier:CTCC').submitCarrierFeed({
        items: [
          aDecisionItem(CTCC_SUSPENDED, 'ACTION_SUSPEND', { reasons: ['CALL_BURST'], at: timestampIn(-2 * DAY) }),
        ],
      }),
    ).toMatchObject({ accepted: 1 });
    // The case of SUSPENDED (its owner suspended it) is opened by the admin's case tracker.
    await eventually(
      () =>
        admin.client('admin:sichuan').lookupNumber({ msisdn: SUSPENDED, purpose: 'test set-up: wait for the case' }),
      (found) => found.case !== undefined,
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await admin?.close();
    rmSync(keyDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
    refusals.splice(0);
  });

  /** A fresh page in `lang` at `width`×800, logged in with `role`'s token, at `hash` (the URL's state). */
  async function logIn(role: string, lang: Lang, options: { width?: number; hash?: string } = {}): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1280, height: 800 } });
    await context.addInitScript(`localStorage.setItem('dashboard.lang', '${lang}')`);
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('response', (response) => {
      if (response.status() >= 400) refusals.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    await page.goto(`${admin.baseUrl}/${options.hash ?? ''}`);
    await page.getByTestId('login-token').fill(admin.token(role, `${role.replace(':', '-')}-ux`));
    await page.getByTestId('login-submit').click();
    await page.getByTestId('whoami').filter({ hasText: role }).waitFor();
    return page;
  }

  async function visibleTabs(page: Page): Promise<string[]> {
    return page.getByRole('tab').evaluateAll((tabs) => tabs.map((tab) => (tab as { id: string }).id.slice(4)));
  }

  async function selectedTab(page: Page): Promise<string | undefined> {
    return (await page.getByRole('tab', { selected: true }).getAttribute('id'))?.slice(4);
  }

  it('offers each role the tabs its API admits, and lands it where it works (police: the look-up)', async () => {
    // What the server admits per role: the read each tab starts with.
    const TAB_READS: Record<string, string> = {
      overview: '/api/oversight',
      lookup: '/api/numbers/13800008001?purpose=tab-check',
      directives: '/api/directives',
      cells: '/api/cells',
    };
    const LANDING: Record<string, string> = {
      'admin:sichuan': 'overview',
      analyst: 'overview',
      police: 'lookup',
      'carrier:CMCC': 'overview',
    };
    for (const [index, [role, landing]] of Object.entries(LANDING).entries()) {
      const admitted = [];
      for (const [tab, path] of Object.entries(TAB_READS))
        if ((await admin.get(path, role)).status === 200) admitted.push(tab);
      const lang = LANGS[index % 2]!;
      const page = await logIn(role, lang);
      await page.getByRole('tab', { selected: true }).waitFor();
      expect([role, await visibleTabs(page)]).toEqual([role, admitted]);
      expect([role, await selectedTab(page)]).toEqual([role, landing]);
      // Nothing the page asked for on its own was refused.
      await page.waitForLoadState('networkidle');
      expect([role, refusals.splice(0)]).toEqual([role, []]);
      await page.context().close();
    }
    // A role with no tab here (the auditor reads the audit log elsewhere) is told so, with no panel shown.
    const auditor = await logIn('auditor', 'en');
    await auditor.getByTestId('no-tabs').filter({ hasText: 'This role (auditor) has no section' }).waitFor();
    expect(await visibleTabs(auditor)).toEqual([]);
    expect(await auditor.locator('[role=tabpanel]:visible').count()).toBe(0);
    await auditor.context().close();
  });

  for (const lang of LANGS) {
    it(`police land on the look-up, never the overview, even at #overview (${lang})`, async () => {
      const page = await logIn('police', lang, { hash: '#overview' });
      await page
        .getByRole('tab', { name: TEXT[lang].tabLookup })
        .and(page.getByRole('tab', { selected: true }))
        .waitFor();
      expect(await page.locator('#panel-overview').isVisible()).toBe(false);
      expect(await page.evaluate('location.hash')).toBe('#lookup');
      expect(await page.getByTestId('overview-error').textContent()).toBe('');
      await page.waitForLoadState('networkidle');
      expect(refusals.splice(0)).toEqual([]);
      await page.context().close();
    });
  }

  it('clears the last record before each look-up: a failed one never shows another number’s record', async () => {
    const page = await logIn('admin:sichuan', 'zh');
    await page.getByTestId('tab-lookup').click();
    await page.getByTestId('lookup-msisdn').fill(SUSPENDED.slice(3));
    await page.getByTestId('lookup-purpose').fill('complaint 2026-501');
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('lookup-owner').filter({ hasText: SUSPENDED }).waitFor();
    // zh: reasons, evidence and case events in Chinese; no English sentence of the server.
    const decision = page.getByTestId('lookup-decisions').locator('tbody tr').first();
    expect(await decision.textContent()).toContain(TEXT.zh.measures);
    expect(await decision.textContent()).toContain(TEXT.zh.separator);
    const events = await page.getByTestId('lookup-case').locator('tbody td:nth-child(3)').allTextContents();
    expect(events.some((e) => TEXT.zh.decisionEvent.test(e))).toBe(true);
    expect(events.join(' ')).not.toMatch(/ by CMCC|policy|score/);

    // A mistyped number: the server refuses it, and the record of the number before is gone.
    await page.getByTestId('lookup-msisdn').fill('1380000');
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('lookup-error').filter({ hasText: TEXT.zh.malformedNumber }).waitFor();
    expect(await page.getByTestId('lookup-error').textContent()).toBe(TEXT.zh.malformedNumber);
    expect(await page.getByTestId('lookup-result').textContent()).toBe('');
    expect(await page.getByTestId('lookup-msisdn').getAttribute('aria-invalid')).toBe('true');

    // The same error said again in English after the switch: no Chinese separators or field notes left.
    await page.getByTestId('lang-en').click();
    expect(await page.getByTestId('lookup-error').textContent()).toBe(TEXT.en.malformedNumber);
    await page.getByTestId('lookup-msisdn').fill(SUSPENDED.slice(3));
    await page.getByTestId('lookup-submit').click();
    await page.getByTestId('lookup-owner').filter({ hasText: SUSPENDED }).waitFor();
    expect(await page.getByTestId('lookup-error').textContent()).toBe('');
    const english = (await page.getByTestId('lookup-result').textContent()) ?? '';
    expect(english).toContain(TEXT.en.measures);
    expect(english).not.toMatch(/[；（）]|字段/);
    const enEvents = await page.getByTestId('lookup-case').locator('tbody td:nth-child(3)').allTextContents();
    expect(enEvents.some((e) => TEXT.en.decisionEvent.test(e))).toBe(true);
    // A refused look-up in English, then back to Chinese: the error follows the language.
    await page.getByTestId('lookup-purpose').fill('');
    await page.getByTestId('lookup-submit').click();
    expect(await page.getByTestId('lookup-error').textContent()).toBe('Give the purpose: look-ups are audited.');
    expect(await page.getByTestId('lookup-result').textContent()).toBe('');
    await page.getByTestId('lang-zh').click();
    expect(await page.getByTestId('lookup-error').textContent()).toBe('请填写查询目的：查询会被审计。');
    await page.context().close();
  });

  for (const lang of LANGS) {
    it(`shows the KPI header, and "no data" instead of 0 where nothing stands behind a figure (${lang})`, async () => {
      const page = await logIn('admin:sichuan', lang);
      await page.getByTestId('kpi-openCases').waitFor();
      const workload = (await admin.get<Record<string, number>>('/api/oversight/workload', 'analyst')).body;
      const kpi = (name: string) => page.getByTestId(`kpi-${name}`).locator('.kpi-value').textContent();
      // CMCC: 2 suspensions, 1 reversed by the police; CTCC: 1, not restored.
      expect(await kpi('mistakenKillRate')).toBe('33.3%');
      expect(await kpi('openCases')).toBe(String(workload.openCases));
      expect(workload.openCases).toBeGreaterThanOrEqual(1);
      expect(await kpi('slaBreaches')).toBe(String(workload.slaBreaches));
      expect(await kpi('directivesOpen')).toBe(String(workload.directivesOpen));
      expect(await kpi('calleeWarnings')).toBe('7');
      // CTCC restored nothing: its hours to restore are no data, not 0.0.
      const ctcc = page.getByTestId('quality-table').getByRole('row').filter({ hasText: 'CTCC' });
      expect(await ctcc.locator('td').allTextContents()).toEqual([
        'CTCC',
        '1',
        '0',
        '0.0%',
        TEXT[lang].noData,
        TEXT[lang].noData,
      ]);
      // The count columns say what they count.
      expect(await page.getByTestId('top-reported-table').locator('th').allTextContents()).toContain(
        TEXT[lang].reporters,
      );
      expect(await page.getByTestId('multi-carrier-table').locator('th').allTextContents()).toContain(
        TEXT[lang].carrierCount,
      );
      expect(await page.getByTestId('chart-mistaken-empty').isVisible()).toBe(false);

      // A quiet month: no rate, no warnings, empty charts said to be empty.
      await page.getByTestId('overview-from').fill('2020-01-01');
      await page.getByTestId('overview-to').fill('2020-01-31');
      await page.getByTestId('overview-refresh').click();
      await page.getByTestId('chart-flags-empty').waitFor();
      expect(await kpi('mistakenKillRate')).toBe(TEXT[lang].noData);
      expect(await kpi('calleeWarnings')).toBe(TEXT[lang].noData);
      for (const chart of ['flags', 'suspensions', 'restorations', 'mistaken', 'callee-warnings'])
        expect(await page.getByTestId(`chart-${chart}-empty`).isVisible()).toBe(true);
      await page.context().close();
    });
  }

  it('keeps the range and carrier in the URL and restores them; refreshes every 60 s while visible', async () => {
    const hash = `#overview?from=${cstDayIn(-6 * DAY)}&to=${cstDayIn(0)}&carrier=CMCC`;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.clock.install();
    const figureReads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/api/oversight') figureReads.push(url.search);
    });
    await page.goto(`${admin.baseUrl}/${hash}`);
    await page.getByTestId('login-token').fill(admin.token('analyst'));
    await page.getByTestId('login-submit').click();
    await page.getByTestId('kpi-openCases').waitFor();
    expect(await page.getByTestId('overview-from').inputValue()).toBe(cstDayIn(-6 * DAY));
    expect(await page.getByTestId('overview-carrier').inputValue()).toBe('CMCC');
    expect(figureReads).toEqual([`?from=${cstDayIn(-6 * DAY)}&to=${cstDayIn(0)}&carrier=CMCC`]);
    expect(await page.evaluate('location.hash')).toBe(hash);
    const carriersDrawn = await page.getByTestId('chart-suspensions').evaluate((canvas) => {
      const chart = (canvas.ownerDocument.defaultView as unknown as { Chart: { getChart(c: unknown): unknown } }).Chart;
      return (chart.getChart(canvas) as { data: { datasets: { label: string }[] } }).data.datasets.map((d) => d.label);
    });
    expect(carriersDrawn).toEqual(['CMCC']);

    // Another carrier: the URL follows, and a reload shows the same.
    await page.getByTestId('overview-carrier').selectOption('CTCC');
    await page.getByTestId('overview-refresh').click();
    await page.waitForFunction("location.hash.includes('carrier=CTCC')");
    await page.reload();
    await page.getByTestId('kpi-openCases').waitFor();
    expect(await page.getByTestId('overview-carrier').inputValue()).toBe('CTCC');

    // A list of a chart point's numbers, open while the figures refresh themselves, stays open.
    await page.getByTestId('chart-suspensions').focus();
    for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowLeft', 'Enter']) await page.keyboard.press(key);
    await page.getByTestId('drilldown').getByText(CTCC_SUSPENDED).waitFor();

    // Every 60 s while shown; not while the browser tab is hidden; then at once when it shows again.
    figureReads.splice(0);
    await page.clock.runFor(61_000);
    await eventually(
      async () => figureReads.length,
      (n) => n === 1,
    );
    await page.getByTestId('kpi-openCases').waitFor();
    expect(await page.getByTestId('drilldown').getByText(CTCC_SUSPENDED).isVisible()).toBe(true);
    await page.evaluate(showBrowserTab(false));
    await page.clock.runFor(61_000);
    expect(figureReads.length).toBe(1);
    await page.evaluate(showBrowserTab(true));
    await eventually(
      async () => figureReads.length,
      (n) => n === 2,
    );
    // Switched off: kept in the URL, no more refreshes.
    await page.getByTestId('kpi-openCases').waitFor();
    await page.getByTestId('overview-auto-refresh').uncheck();
    expect(await page.evaluate('location.hash')).toContain('refresh=off');
    await page.clock.runFor(61_000);
    expect(figureReads.length).toBe(2);
    await context.close();
  });

  it('keeps the directives’ filters in the URL too (never a number)', async () => {
    const page = await logIn('analyst', 'en', { hash: '#directives?carrier=CTCC&status=PENDING&msisdn=1' });
    await page.getByTestId('directives-table').locator('table').waitFor();
    expect(await selectedTab(page)).toBe('directives');
    expect(await page.getByTestId('directives-carrier').inputValue()).toBe('CTCC');
    expect(await page.getByTestId('directives-status').inputValue()).toBe('PENDING');
    await page.getByTestId('directives-status').selectOption('');
    await page.getByTestId('directives-msisdn').fill('19100008003');
    await page.getByTestId('directives-refresh').click();
    await page.waitForFunction("location.hash === '#directives?carrier=CTCC'");
    await page.context().close();
  });

  for (const lang of LANGS) {
    it(`lists the numbers behind a chart point, each opening the look-up (${lang})`, async () => {
      const page = await logIn('analyst', lang);
      await page.getByTestId('kpi-openCases').waitFor();
      const canvas = page.getByTestId('chart-suspensions');
      const drill = page.getByTestId('drilldown');
      // By keyboard: the first arrow shows CMCC's last day, three more go back to SUSPENDED's day.
      await canvas.focus();
      for (const key of ['ArrowRight', 'ArrowLeft', 'ArrowLeft', 'ArrowLeft', 'Enter']) await page.keyboard.press(key);
      await drill.getByRole('button', { name: SUSPENDED }).waitFor();
      expect(await drill.locator('h3').textContent()).toContain(`CMCC ${SUSPENDED_DAY}`);
      await page.getByTestId('drill-close').click();
      expect(await drill.isVisible()).toBe(false);
      // By mouse: where CMCC's point of SUSPENDED's day sits on the suspensions chart.
      const point = await canvas.evaluate((node, day) => {
        const chart = (
          node.ownerDocument.defaultView as unknown as {
            Chart: {
              getChart(c: unknown): {
                data: { labels: string[]; datasets: { label: string }[] };
                getDatasetMeta(i: number): { data: { x: number; y: number }[] };
              };
            };
          }
        ).Chart.getChart(node);
        const dataset = chart.data.datasets.findIndex((d) => d.label === 'CMCC');
        const { x, y } = chart.getDatasetMeta(dataset).data[chart.data.labels.indexOf(day)]!;
        return { x, y };
      }, SUSPENDED_DAY);
      await canvas.click({ position: point });
      await drill.getByRole('button', { name: SUSPENDED }).waitFor();
      expect(await drill.locator('h3').textContent()).toContain(`CMCC ${SUSPENDED_DAY}`);
      expect(await drill.locator('tbody tr').count()).toBe(1);
      await drill.getByRole('button', { name: SUSPENDED }).click();
      expect(await selectedTab(page)).toBe('lookup');
      expect(await page.getByTestId('lookup-msisdn').inputValue()).toBe(SUSPENDED);
      await page.context().close();
    });
  }

  for (const [lang, width] of [
    ['zh', 400],
    ['en', 400],
    ['zh', 1400],
    ['en', 1400],
  ] as const) {
    it(`fits ${width} px in ${lang}: nothing spills past its card or the window`, async () => {
      const page = await logIn('admin:sichuan', lang, { width });
      await page.getByTestId('kpi-openCases').waitFor();
      for (const tab of ['overview', 'lookup', 'directives', 'cells']) {
        await page.getByTestId(`tab-${tab}`).click();
        if (tab === 'lookup') {
          await page.getByTestId('lookup-msisdn').fill(SUSPENDED.slice(3));
          await page.getByTestId('lookup-purpose').fill('layout check');
          await page.getByTestId('lookup-submit').click();
          await page.getByTestId('lookup-case').waitFor();
        }
        await page.waitForLoadState('networkidle');
        const spills = await page.evaluate(spillsPast(tab));
        expect([tab, spills]).toEqual([tab, []]);
      }
      await page.context().close();
    });
  }

  it('has an icon: linked by the page, and at /favicon.ico', async () => {
    const page = await logIn('analyst', 'zh');
    const href = await page.locator('link[rel=icon]').getAttribute('href');
    for (const path of [`/${href}`, '/favicon.ico']) {
      const answer = await page.request.get(`${admin.baseUrl}${path}`);
      expect([path, answer.status(), answer.headers()['content-type']]).toEqual([path, 200, 'image/svg+xml']);
    }
    await page.context().close();
  });

  for (const lang of LANGS) {
    it(`says a server refusal in the page’s language, by its code, and again after a switch (${lang})`, async () => {
      const page = await logIn('analyst', lang);
      await page.getByTestId('tab-directives').click();
      await page
        .getByTestId('directive-form')
        .locator('fieldset')
        .evaluate((fieldset) => {
          (fieldset as { disabled: boolean }).disabled = false;
        });
      await page.getByTestId('directive-msisdn').fill('19100008003');
      await page.getByTestId('directive-reason').fill('an analyst trying');
      await page.getByTestId('directive-submit').click();
      await page.getByTestId('directive-error').filter({ hasText: '403' }).waitFor();
      expect(await page.getByTestId('directive-error').textContent()).toMatch(TEXT[lang].forbidden);
      const other = lang === 'zh' ? 'en' : 'zh';
      await page.getByTestId(`lang-${other}`).click();
      expect(await page.getByTestId('directive-error').textContent()).toMatch(TEXT[other].forbidden);
      await page.context().close();
    });
  }
});
