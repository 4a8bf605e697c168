/* global Chart -- chart.js, loaded by index.html before this module */
// Overview: the carriers' figures over time, their mistaken-kill rates, and the oversight tables.
import { api, downloadCsv, downloadFile, withQuery } from './api.js';
import { t } from './i18n.js';
import { reasonText } from './reasons.js';
import { markField, reportFailure } from './form.js';
import {
  clearError,
  dayOf,
  formatNumber,
  formatPercent,
  formatTime,
  h,
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
  calleeWarnings: { type: 'line', testId: 'chart-callee-warnings' },
};

export function createOverview(panel, { onOpenNumber }) {
  const form = panel.querySelector('#overview-form');
  const errorBox = panel.querySelector('[role=alert]');
  let figures;

  panel.querySelector('.charts').append(
    ...Object.entries(CHARTS).map(([metric, { testId }]) =>
      h(
        'figure',
        {},
        h('canvas', {
          dataset: { chart: metric, i18nAriaLabel: `chart.${metric}` },
          'data-testid': testId,
          role: 'img',
        }),
      ),
    ),
  );

  form.elements.to.value = dayOf(new Date());
  form.elements.from.value = dayOf(new Date(Date.now() - 29 * DAY_MS));
  form.elements.reportMonth.value = lastMonth(dayOf(new Date()));

  function range() {
    return { from: form.elements.from.value, to: form.elements.to.value };
  }

  async function load() {
    clearError(errorBox);
    try {
      figures = await whileLoading(panel, async () => {
        const [series, oversight] = await Promise.all([
          api(withQuery('/api/oversight/series', range())),
          api(withQuery('/api/oversight', range())),
        ]);
        return { series, oversight };
      });
      markField(form, undefined);
      render();
    } catch (error) {
      reportFailure(form, errorBox, error);
    }
  }

  function render() {
    if (!figures) return;
    for (const canvas of panel.querySelectorAll('canvas[data-chart]')) drawChart(canvas, figures.series);
    const { quality = [], demotedRules = [], topReported = [], multiCarrier = [], rows = [] } = figures.oversight;
    fillTable('quality', qualityTable(quality));
    fillTable('qualityByReason', qualityByReasonTable(quality));
    fillTable('demotedRules', demotedRulesTable(demotedRules));
    fillTable('topReported', numbersTable(topReported, onOpenNumber));
    fillTable('multiCarrier', numbersTable(multiCarrier, onOpenNumber));
    fillTable('reasons', reasonsTable(rows));
  }

  function fillTable(name, node) {
    panel.querySelector(`[data-table="${name}"]`).replaceChildren(node);
  }

  async function download(kind) {
    clearError(errorBox);
    const { from, to } = range();
    try {
      await downloadCsv(withQuery(`/api/${kind}.csv`, range()), `${kind}-${from}-${to}.csv`);
    } catch (error) {
      showError(errorBox, error);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  for (const button of panel.querySelectorAll('[data-csv]'))
    button.addEventListener('click', () => download(button.dataset.csv));

  /** The monthly public report (docs/monthly-report.md), as HTML or as the PDF the admin prints. */
  async function downloadReport(format) {
    clearError(errorBox);
    const month = form.elements.reportMonth.value;
    if (!month) return markField(form, 'reportMonth');
    try {
      await downloadFile(withQuery('/api/reports/monthly', { month, format }), `report-${month}.${format}`);
    } catch (error) {
      showError(errorBox, error);
    }
  }
  for (const button of panel.querySelectorAll('[data-report-format]'))
    button.addEventListener('click', () => downloadReport(button.dataset.reportFormat));

  /** The report covers every carrier: the province's administration and analysts only. */
  function allowReports(allowed) {
    panel.querySelector('[data-report]').hidden = !allowed;
  }

  return { load, render, allowReports };
}

/** `2026-12-06` -> `2026-11`: the last month that has ended. */
function lastMonth(day) {
  const [year, month] = day.split('-').map(Number);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

function drawChart(canvas, series) {
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
  Chart.getChart(canvas)?.destroy();
  new Chart(canvas, {
    type: spec.type,
    data: { labels: series.days ?? [], datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
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

const QUALITY_COLUMNS = [
  { head: 'col.suspensions', cell: (q) => formatNumber(q.suspensions), numeric: true },
  { head: 'col.mistaken', cell: (q) => formatNumber(q.mistaken), numeric: true },
  { head: 'col.mistakenKillRate', cell: (q) => formatPercent(q.mistakenKillRate), numeric: true },
  { head: 'col.restoreP50', cell: (q) => formatNumber(q.restoreHoursP50, 1), numeric: true },
  { head: 'col.restoreP90', cell: (q) => formatNumber(q.restoreHoursP90, 1), numeric: true },
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

/** Numbers with a count; a number opens the look-up tab. */
function numbersTable(numbers, onOpenNumber) {
  return table(
    [
      {
        head: 'col.msisdn',
        cell: (n) =>
          h('button', { type: 'button', className: 'link', onclick: () => onOpenNumber(n.msisdn) }, n.msisdn),
      },
      { head: 'col.count', cell: (n) => formatNumber(n.count), numeric: true },
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
