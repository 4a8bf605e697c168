// Small DOM and formatting helpers shared by the tabs. Text always goes in as
// text nodes, never as HTML: numbers, reasons and cells come from carriers.
import { ApiError, NetworkError } from './api.js';
import { language, t } from './i18n.js';

/** An element with attributes (`dataset`, `on*` handlers, properties) and children (nodes or text). */
export function h(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name in node) node[name] = value;
    else node.setAttribute(name, value === true ? '' : value);
  }
  node.append(...children.flat().filter((child) => child !== undefined && child !== null && child !== false));
  return node;
}

/**
 * A table: `columns` are {head: message key, cell: row => text or node, numeric?}.
 * No rows gives one line saying so.
 */
export function table(columns, rows) {
  const head = h(
    'tr',
    {},
    columns.map((column) => h('th', { scope: 'col', className: column.numeric ? 'num' : '' }, t(column.head))),
  );
  const body =
    rows.length > 0
      ? rows.map((row) =>
          h(
            'tr',
            {},
            columns.map((column) => h('td', { className: column.numeric ? 'num' : '' }, column.cell(row))),
          ),
        )
      : [h('tr', {}, h('td', { colSpan: columns.length, className: 'empty' }, t('common.none')))];
  return h('table', {}, h('thead', {}, head), h('tbody', {}, body));
}

/** Puts a failure in the alert box: the server's message and the field at fault. */
export function showError(box, error) {
  box.textContent = errorText(error);
}

export function clearError(box) {
  box.textContent = '';
}

function errorText(error) {
  if (error instanceof NetworkError) return t('error.network', { message: error.message });
  if (!(error instanceof ApiError)) return error.message;
  const message = error.message || t('error.http', { status: error.status });
  const text = error.status === 403 ? t('error.forbidden', { message }) : message;
  return error.field ? text + t('error.field', { field: error.field }) : text;
}

/** Runs `work` with the panel's loading line shown and the panel marked busy. */
export async function whileLoading(panel, work) {
  const indicator = panel.querySelector(':scope > .loading');
  panel.setAttribute('aria-busy', 'true');
  indicator.hidden = false;
  try {
    return await work();
  } finally {
    panel.removeAttribute('aria-busy');
    indicator.hidden = true;
  }
}

/** A time from the API: an ISO string, epoch milliseconds, or a protobuf {seconds, nanos}. */
export function toDate(value) {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'object')
    return new Date(Number(value.seconds ?? 0) * 1000 + Math.floor(Number(value.nanos ?? 0) / 1e6));
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const TIME_ZONE = 'Asia/Shanghai';

/** A time in China Standard Time, e.g. 2024-02-06 19:05; a dash when there is none. */
export function formatTime(value) {
  const date = toDate(value);
  if (!date) return '–';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/** The China Standard Time day (YYYY-MM-DD) of a date. */
export function dayOf(date) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: TIME_ZONE }).format(date);
}

/** An enum from the API without its proto prefix: ACTION_SUSPEND and SUSPEND are both SUSPEND. */
export function enumValue(value) {
  return String(value ?? '').replace(/^(ACTION|DIRECTIVE_KIND|DIRECTIVE_STATUS|DIRECTIVE_OUTCOME|CASE_STATUS)_/, '');
}

export function formatNumber(value, digits = 0) {
  return Number(value ?? 0).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en', {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

export function formatPercent(rate) {
  return `${formatNumber(Number(rate ?? 0) * 100, 1)}%`;
}
