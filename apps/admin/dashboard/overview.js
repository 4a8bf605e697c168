/* global Chart -- chart.js, loaded by index.html before this module */
// Overview: the carriers' figures over time, their mistaken-kill rates, and the oversight tables.
import { api, ApiError, downloadCsv, downloadFile, withQuery } from './api.js';
import { label, t } from './i18n.js';
import { reasonText } from './reasons.js';
import { FormError, markField, reportFailure } from './form.js';
import {
  clearError,
  dayOf,
  formatNumber,
  formatPercent,
  formatTime,
  h,
  joinList,
  noData,
  showError,
  table,
  whileLoading,
} from './view.js';

const CARRIER_COLOURS = { CMCC: '#1f6fb2', CUCC: '#d1343a', CTCC: '#2c9a5b', CBN: '#8a5cc2' };
const DAY_MS = 24 * 3600 * 1000;

// The charts in their order: which series each canvas shows, and how.
const CHARTS = {
  flags: { type: 'bar', stacked: true, testId: 'chart-flags' },
  suspensions: { type: 'line', testId: 'chart-suspensions' },
  restorations: { type: 'line', testId: 'chart-restorations' },
  mistakenKillRate: { type: 'line', percent: true, testId: 'chart-mistaken' },
  calleeWarnings: { type: 'line', testId: 'chart-callee-warnings', countsOnly: true },
};

/** How often the figures refresh themselves while the overview is shown and the browser tab is visible. */
export const REFRESH_MS = 60_000;
const KPIS = ['mistakenKillRate', 'openCases', 'slaBreaches', 'directivesOpen', 'calleeWarnings'];

export function createOverview(panel, { onOpenNumber, onFilters }) {
  const form = panel.querySelector('#overview-form');
  const errorBox = panel.querySelector(':scope > [role=alert]');
  const kpiBox = panel.querySelector('[data-testid=kpis]');
  const updated = panel.querySelector('[data-testid=overview-updated]');
  const drill = createDrillDown(panel.querySelector('#drilldown'), () => (canLookUp ? onOpenNumber : undefined));
  let figures;
  let loadedAt = 0;
  /** When the figures were last asked for, answered or not: the next refresh is due REFRESH_MS after. */
  let askedAt = 0;
  let refreshTimer;
  let shown = false;
  let ownCarrier;
  let canLookUp = false;

  panel.querySelector('.charts').append(
    ...Object.entries(CHARTS).map(([metric, { testId }]) =>
      h(
        'figure',
        { dataset: { figure: metric } },
        h('canvas', {
          dataset: { chart: metric, i18nAriaLabel: `chart.${metric}` },
          'data-testid': testId,
          role: 'img',
          // Keyboard users reach the points too (pointAtKey): a chart with numbers behind it takes focus.
          tabIndex: CHARTS[metric].countsOnly ? -1 : 0,
          onkeydown: (event) => pointAtKey(event, drill.open),
        }),
        h('p', { className: 'chart-empty', 'data-testid': `${testId}-empty`, hidden: true }),
      ),
    ),
  );

  form.elements.to.value = dayOf(new Date());
  form.elements.from.value = dayOf(new Date(Date.now() - 29 * DAY_MS));
  form.elements.reportMonth.value = lastMonth(dayOf(new Date()));

  /**
   * A carrier reads its own figures only: the filter is fixed to it. Numbers open the look-up
   * only for roles that may look numbers up.
   */
  function configure(options) {
    ownCarrier = options.ownCarrier;
    canLookUp = options.canLookUp;
    if (ownCarrier) form.elements.carrier.value = ownCarrier;
    form.elements.carrier.disabled = Boolean(ownCarrier);
  }

  /** The filters as the URL keeps them; the auto-refresh only when it is off (on is the default). */
  function filters() {
    return {
      from: form.elements.from.value,
      to: form.elements.to.value,
      carrier: ownCarrier ? '' : form.elements.carrier.value,
      refresh: form.elements.autoRefresh.checked ? '' : 'off',
    };
  }

  /** Takes the filters of a URL (`#overview?from=…&to=…&carrier=…&refresh=off`); a bad value keeps the current one. */
  function restore(params) {
    for (const name of ['from', 'to']) {
      const day = params.get(name);
      if (day && /^\d{4}-\d{2}-\d{2}$/.test(day)) form.elements[name].value = day;
    }
    const carrier = params.get('carrier') ?? '';
    if (!ownCarrier && [...form.elements.carrier.options].some((option) => option.value === carrier))
      form.elements.carrier.value = carrier;
    form.elements.autoRefresh.checked = params.get('refresh') !== 'off';
    // Other filters: the figures shown, and the numbers listed, are not theirs.
    askedAt = 0;
    drill.close();
  }

  function query() {
    const { from, to, carrier } = filters();
    return { from, to, carrier };
  }

  async function load() {
    clearError(errorBox);
    onFilters(filters());
    try {
      const asked = query();
      figures = await whileLoading(panel, async () => {
        const [series, oversight, workload] = await Promise.all([
          api(withQuery('/api/oversight/series', asked)),
          api(withQuery('/api/oversight', asked)),
          api(withQuery('/api/oversight/workload', { carrier: asked.carrier })),
        ]);
        return { series, oversight, workload };
      });
      loadedAt = Date.now();
      markField(form, undefined);
      render();
    } catch (error) {
      reportFailure(form, errorBox, error);
    } finally {
      askedAt = Date.now();
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refreshIfDue, REFRESH_MS);
    }
  }

  function render() {
    drill.render();
    if (!figures) return;
    updated.textContent = t('overview.updatedAt', { time: formatTime(loadedAt) });
    kpiBox.replaceChildren(...kpiCards(figures));
    for (const canvas of panel.querySelectorAll('canvas[data-chart]')) drawChart(canvas, figures.series, drill.open);
    const { quality = [], demotedRules = [], topReported = [], multiCarrier = [], rows = [] } = figures.oversight;
    const open = canLookUp ? onOpenNumber : undefined;
    fillTable('quality', qualityTable(quality));
    fillTable('qualityByReason', qualityByReasonTable(quality));
    fillTable('demotedRules', demotedRulesTable(demotedRules));
    fillTable('topReported', numbersTable(topReported, open, 'col.reporters'));
    fillTable('multiCarrier', numbersTable(multiCarrier, open, 'col.carrierCount'));
    fillTable('reasons', reasonsTable(rows));
  }

  function fillTable(name, node) {
    panel.querySelector(`[data-table="${name}"]`).replaceChildren(node);
  }

  async function download(kind) {
    clearError(errorBox);
    const { from, to } = query();
    try {
      await downloadCsv(withQuery(`/api/${kind}.csv`, query()), `${kind}-${from}-${to}.csv`);
    } catch (error) {
      showError(errorBox, error);
    }
  }

  /**
   * The overview is shown (true) or left (false): shown, it fetches figures it never had, for
   * filters just restored, or due for their refresh; it refreshes itself only while shown.
   */
  function show(isShown) {
    shown = isShown;
    if (shown && (askedAt === 0 || (form.elements.autoRefresh.checked && Date.now() - askedAt >= REFRESH_MS))) load();
  }

  /** The figures go stale while nobody looks: refresh when due, never in a hidden browser tab or another tab. */
  function refreshIfDue() {
    if (shown && form.elements.autoRefresh.checked && !document.hidden && Date.now() - askedAt >= REFRESH_MS) load();
  }

  // Asked for by hand: the list of a chart point's numbers goes (an auto-refresh keeps it open).
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    drill.close();
    load();
  });
  form.elements.autoRefresh.addEventListener('change', () => {
    onFilters(filters());
    refreshIfDue();
  });
  for (const button of panel.querySelectorAll('[data-csv]'))
    button.addEventListener('click', () => download(button.dataset.csv));
  // Hidden when its time came: refreshed as soon as it is seen again.
  document.addEventListener('visibilitychange', refreshIfDue);

  /** The monthly public report (docs/monthly-report.md), as HTML or as the PDF the admin prints. */
  async function downloadReport(format) {
    clearError(errorBox);
    const month = form.elements.reportMonth.value;
    if (!month) return markField(form, 'reportMonth');
    try {
      await downloadFile(withQuery('/api/reports/monthly', { month, format }), `report-${month}.${format}`);
    } catch (error) {
      // A month refused by the server is said with the month asked for, in the page's language.
      const refusedMonth = error instanceof ApiError && error.field === 'month' && error.code === 'OUT_OF_RANGE';
      showError(errorBox, refusedMonth ? new FormError('reportMonth', 'report.notBegun', { month }) : error);
    }
  }
  for (const button of panel.querySelectorAll('[data-report-format]'))
    button.addEventListener('click', () => downloadReport(button.dataset.reportFormat));

  /** The report covers every carrier: the province's administration and analysts only. */
  function allowReports(allowed) {
    panel.querySelector('[data-report]').hidden = !allowed;
  }

  return {
    load,
    render,
    configure,
    filters,
    restore,
    show,
    allowReports,
  };
}

/** `2026-12-06` -> `2026-11`: the last month that has ended. */
function lastMonth(day) {
  const [year, month] = day.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/** The header's figures: the range's mistaken-kill rate and callee warnings, and what waits on someone now. */
function kpiCards({ oversight, workload }) {
  const quality = oversight.quality ?? [];
  const suspensions = sum(quality.map((q) => q.suspensions));
  const mistaken = sum(quality.map((q) => q.mistaken));
  const warnings = oversight.calleeWarnings ?? [];
  const values = {
    mistakenKillRate: [
      suspensions > 0 ? formatPercent(mistaken / suspensions) : noData(),
      suspensions > 0 ? t('kpi.mistakenKillRateNote', { mistaken, suspensions }) : t('kpi.inRange'),
    ],
    openCases: [formatNumber(workload.openCases), t('kpi.now')],
    slaBreaches: [formatNumber(workload.slaBreaches), t('kpi.now')],
    directivesOpen: [formatNumber(workload.directivesOpen), t('kpi.now')],
    calleeWarnings: [
      warnings.length > 0 ? formatNumber(sum(warnings.map((w) => w.count))) : noData(),
      t('kpi.inRange'),
    ],
  };
  return KPIS.map((kpi) =>
    h(
      'div',
      {
        className: `kpi${kpi === 'slaBreaches' && workload.slaBreaches > 0 ? ' alert' : ''}`,
        'data-testid': `kpi-${kpi}`,
      },
      h('span', { className: 'kpi-label' }, t(`kpi.${kpi}`)),
      h('strong', { className: 'kpi-value' }, values[kpi][0]),
      h('span', { className: 'kpi-note' }, values[kpi][1]),
    ),
  );
}

/** The numbers behind a chart's point, listed under the charts; each opens the look-up. */
function createDrillDown(box, opener) {
  let point;
  let answer;
  let failure;

  async function open(clicked) {
    point = clicked;
    answer = undefined;
    failure = undefined;
    render();
    try {
      answer = await api(
        withQuery('/api/oversight/numbers', { day: point.day, series: point.series, carrier: point.carrier }),
      );
    } catch (error) {
      failure = error;
    }
    render();
  }

  function close() {
    point = undefined;
    render();
  }

  function render() {
    box.hidden = !point;
    if (!point) return box.replaceChildren();
    const openNumber = opener();
    const heading = t('drill.heading', { carrier: point.carrier, day: point.day, series: t(`series.${point.series}`) });
    const errorLine = h('p', { className: 'error', role: 'alert' });
    if (failure) showError(errorLine, failure);
    box.replaceChildren(
      h(
        'div',
        { className: 'drill-head' },
        h('h3', {}, heading),
        h(
          'button',
          { type: 'button', className: 'link', onclick: close, 'data-testid': 'drill-close' },
          t('drill.close'),
        ),
      ),
      errorLine,
      answer ? h('p', { className: 'meta' }, t('drill.count', { count: answer.numbers.length })) : '',
      answer?.truncated ? h('p', { className: 'meta' }, t('drill.truncated', { count: answer.numbers.length })) : '',
      answer
        ? table(
            [
              { head: 'col.msisdn', cell: (n) => numberCell(n.msisdn, openNumber) },
              { head: 'col.at', cell: (n) => formatTime(n.at) },
              { head: 'col.action', cell: (n) => label('action', n.action) },
              { head: 'col.reasons', cell: (n) => joinList((n.reasons ?? []).map(reasonText)) },
            ],
            answer.numbers,
          )
        : '',
    );
  }

  return { open, close, render };
}

function sum(values) {
  return values.reduce((total, value) => total + Number(value ?? 0), 0);
}

/** A number: a button opening the look-up for roles that may look numbers up, else plain text. */
function numberCell(msisdn, openNumber) {
  return openNumber
    ? h('button', { type: 'button', className: 'link', onclick: () => openNumber(msisdn) }, msisdn)
    : msisdn;
}

/**
 * Draws one chart; a click on a carrier's point of a day calls `onPoint` with them
 * (callee warnings are counts the carriers send, with no numbers behind them).
 * A chart with nothing to show says so over its empty axes.
 */
function drawChart(canvas, series, onPoint) {
  const metric = canvas.dataset.chart;
  const spec = CHARTS[metric];
  const scale = spec.percent ? 100 : 1;
  const datasets = Object.entries(series.carriers ?? {}).map(([carrier, values]) => ({
    label: carrier,
    // null: a day without suspensions has no mistaken-kill rate; the line spans the gap.
    data: (values[metric] ?? []).map((value) => (value === null ? null : Number(value) * scale)),
    spanGaps: true,
    borderColor: CARRIER_COLOURS[carrier],
    backgroundColor: CARRIER_COLOURS[carrier],
    tension: 0.2,
  }));
  // A rate over no suspensions is no data, not 0 %; a count is data only when something was counted.
  const empty = datasets.every((d) => d.data.every((value) => value === null || (!spec.percent && value === 0)));
  canvas.parentElement.classList.toggle('empty', empty);
  const note = canvas.parentElement.querySelector('.chart-empty');
  note.hidden = !empty;
  note.textContent = t('chart.noData');
  const drillable = !spec.countsOnly;
  Chart.getChart(canvas)?.destroy();
  new Chart(canvas, {
    type: spec.type,
    data: { labels: series.days ?? [], datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      onClick: (event, _elements, chart) => {
        if (!drillable) return;
        const [hit] = chart.getElementsAtEventForMode(
          event.native,
          'nearest',
          { intersect: spec.type === 'bar' },
          false,
        );
        if (!hit) return;
        const carrier = chart.data.datasets[hit.datasetIndex].label;
        onPoint({ day: chart.data.labels[hit.index], carrier, series: metric });
      },
      onHover: (event, elements) => {
        event.native.target.style.cursor = drillable && elements.length > 0 ? 'pointer' : 'default';
      },
      plugins: {
        title: { display: true, text: t(`chart.${metric}`), font: { size: 14 } },
        legend: { position: 'bottom' },
      },
      scales: {
        x: { stacked: spec.stacked },
        y: {
          stacked: spec.stacked,
          beginAtZero: true,
          ticks: spec.percent ? { callback: (value) => `${value}%` } : { precision: 0 },
        },
      },
    },
  });
}

/**
 * The keyboard's way to a chart's point: the arrows move between days (left, right) and carriers
 * (up, down), shown as the chart's tooltip; Enter lists the numbers of the point shown.
 */
function pointAtKey(event, onPoint) {
  const chart = Chart.getChart(event.target);
  const spec = CHARTS[event.target.dataset.chart];
  if (!chart || spec.countsOnly) return;
  const days = chart.data.labels.length;
  const carriers = chart.data.datasets.length;
  if (days === 0 || carriers === 0) return;
  const [active] = chart.getActiveElements();
  let { datasetIndex = 0, index = days - 1 } = active ?? {};
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    if (active)
      onPoint({
        day: chart.data.labels[index],
        carrier: chart.data.datasets[datasetIndex].label,
        series: event.target.dataset.chart,
      });
    return;
  }
  const move = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[event.key];
  if (!move) return;
  event.preventDefault();
  if (active) {
    datasetIndex = (datasetIndex + move[0] + carriers) % carriers;
    index = Math.min(days - 1, Math.max(0, index + move[1]));
  }
  const point = [{ datasetIndex, index }];
  const element = chart.getDatasetMeta(datasetIndex).data[index];
  chart.setActiveElements(point);
  chart.tooltip.setActiveElements(point, { x: element.x, y: element.y });
  chart.update();
}

const QUALITY_COLUMNS = [
  { head: 'col.suspensions', cell: (q) => formatNumber(q.suspensions), numeric: true },
  { head: 'col.mistaken', cell: (q) => formatNumber(q.mistaken), numeric: true },
  {
    head: 'col.mistakenKillRate',
    cell: (q) => (q.suspensions > 0 ? formatPercent(q.mistakenKillRate) : noData()),
    numeric: true,
  },
  // The hours are over the restored suspensions: none restored is no data, not 0.0 h.
  {
    head: 'col.restoreP50',
    cell: (q) => (q.restored > 0 ? formatNumber(q.restoreHoursP50, 1) : noData()),
    numeric: true,
  },
  {
    head: 'col.restoreP90',
    cell: (q) => (q.restored > 0 ? formatNumber(q.restoreHoursP90, 1) : noData()),
    numeric: true,
  },
];

function qualityTable(quality) {
  return table([{ head: 'col.carrier', cell: (q) => q.carrier }, ...QUALITY_COLUMNS], quality);
}

/** The same figures per reason of the suspension. */
function qualityByReasonTable(quality) {
  const rows = quality.flatMap((q) => (q.byReason ?? []).map((r) => ({ carrier: q.carrier, ...r })));
  return table(
    [
      { head: 'col.carrier', cell: (r) => r.carrier },
      { head: 'col.reason', cell: (r) => reasonText(r.reason) },
      ...QUALITY_COLUMNS,
    ],
    rows,
  );
}

/** The rules each carrier's policy demoted (error budget per rule): one line per demotion, re-enabled or not. */
function demotedRulesTable(carriers) {
  const rows = carriers.flatMap((c) => (c.rules ?? []).map((r) => ({ carrier: c.carrier, ...r })));
  return table(
    [
      { head: 'col.carrier', cell: (r) => r.carrier },
      { head: 'col.policy', cell: (r) => r.policy },
      { head: 'col.reason', cell: (r) => reasonText(r.reason) },
      { head: 'col.demotedAt', cell: (r) => formatTime(r.demotedAt) },
      { head: 'col.mistaken', cell: (r) => formatNumber(r.mistakes), numeric: true },
      { head: 'col.steps', cell: (r) => formatNumber(r.actions), numeric: true },
      {
        head: 'col.reenabled',
        cell: (r) =>
          r.reenabledAt ? `${formatTime(r.reenabledAt)} ${r.reenabledBy ?? ''}: ${r.why ?? ''}` : t('demoted.inForce'),
      },
    ],
    rows,
  );
}

/**
 * Numbers with a count that `countHead` names (reporters of the top list, carriers of the
 * multi-carrier list); a number opens the look-up tab for roles that may look numbers up.
 */
function numbersTable(numbers, onOpenNumber, countHead) {
  return table(
    [
      { head: 'col.msisdn', cell: (n) => numberCell(n.msisdn, onOpenNumber) },
      { head: countHead, cell: (n) => formatNumber(n.count), numeric: true },
      { head: 'col.carriers', cell: (n) => (n.carriers ?? []).join(', ') },
    ],
    numbers,
  );
}

const COUNTS = ['warnings', 'restrictions', 'suspensions', 'restorations'];

/** The day rows summed over the range per carrier, policy and reason; most suspensions first. */
function reasonsTable(rows) {
  const totals = new Map();
  for (const row of rows) {
    const key = `${row.carrier}|${row.policy}|${row.reason}`;
    const total = totals.get(key) ?? {
      carrier: row.carrier,
      policy: row.policy,
      reason: row.reason,
      warnings: 0,
      restrictions: 0,
      suspensions: 0,
      restorations: 0,
    };
    for (const count of COUNTS) total[count] += Number(row[count] ?? 0);
    totals.set(key, total);
  }
  const sorted = [...totals.values()].sort(
    (a, b) => a.carrier.localeCompare(b.carrier) || b.suspensions - a.suspensions || a.reason.localeCompare(b.reason),
  );
  return table(
    [
      { head: 'col.carrier', cell: (r) => r.carrier },
      { head: 'col.policy', cell: (r) => r.policy },
      { head: 'col.reason', cell: (r) => reasonText(r.reason) },
      ...COUNTS.map((count) => ({ head: `col.${count}`, cell: (r) => formatNumber(r[count]), numeric: true })),
    ],
    sorted,
  );
}
