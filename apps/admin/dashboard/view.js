// Small DOM and formatting helpers shared by the tabs. Text always goes in as
// text nodes, never as HTML: numbers, reasons and cells come from carriers.
import { ApiError, NetworkError } from './api.js';
import { has, language, t } from './i18n.js';

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
 * No rows gives one line saying so. The table scrolls sideways in its own box on a narrow screen.
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
  // Many columns on a narrow screen: the table keeps a readable width and scrolls (styles.css, table.wide).
  const wide = columns.length > 5 ? 'wide' : '';
  return h(
    'div',
    { className: 'table-wrap' },
    h('table', { className: wide }, h('thead', {}, head), h('tbody', {}, body)),
  );
}

/** The failure each alert box shows, kept as it came (code, field, key) so a language switch can say it again. */
const shownErrors = new Map();

/** Puts a failure in the alert box: the server's error code (and the field at fault) in the page's language. */
export function showError(box, error) {
  shownErrors.set(box, error);
  box.textContent = errorText(error);
}

export function clearError(box) {
  shownErrors.delete(box);
  box.textContent = '';
}

/** Says every failure on screen again, in the language just chosen. */
export function retranslateErrors() {
  for (const [box, error] of shownErrors) {
    // A box re-rendered away (e.g. a closed list) is forgotten.
    if (box.isConnected) box.textContent = errorText(error);
    else shownErrors.delete(box);
  }
}

/** The server's validation codes name a field; without one they are a plain bad request. */
const FIELD_CODES = new Set(['REQUIRED', 'MALFORMED', 'OUT_OF_RANGE']);

function errorText(error) {
  if (error instanceof NetworkError) return t('error.network', { message: error.message });
  // A failure the page found itself (a FormError): its message key, translated now.
  if (error.messageKey) return t(error.messageKey, error.values);
  if (!(error instanceof ApiError)) return error.message;
  const text = serverErrorText(error);
  return error.status === 403 ? t('error.forbidden', { message: text }) : text;
}

/**
 * The text of the server's error code, never its English message (except in
 * the English view for a code the page does not know yet).
 */
function serverErrorText({ code, field, status, message }) {
  if (code && has(`error.code.${code}`)) {
    if (FIELD_CODES.has(code) && !field) return t('error.code.INVALID_ARGUMENT');
    return t(`error.code.${code}`, { field: fieldLabel(field) });
  }
  if (language() === 'en' && message) return message;
  return code ? t('error.unknown', { code }) : t('error.http', { status });
}

/** A request field as the page names it: `items[0].msisdn` and `expires_in_days` by their form labels. */
function fieldLabel(field) {
  const name = String(field ?? '')
    .split(/[.[]/)[0]
    .replace(/_(\w)/g, (_, letter) => letter.toUpperCase());
  return has(`field.${name}`) ? t(`field.${name}`) : name;
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

/** A measured value as it is, up to `digits` decimals (0.3, not 0.30; 42, not 42.00). */
export function formatDecimal(value, digits = 2) {
  return Number(value ?? 0).toLocaleString(language() === 'zh' ? 'zh-CN' : 'en', { maximumFractionDigits: digits });
}

export function formatPercent(rate) {
  return `${formatNumber(Number(rate ?? 0) * 100, 1)}%`;
}

/** "No data" in place of a figure that has nothing to stand on (a rate over no suspensions, hours over no restore). */
export function noData() {
  return h('span', { className: 'no-data', dataset: { noData: '' } }, t('common.noData'));
}

/** Texts joined the way the page's language lists them (；in Chinese, "; " in English). */
export function joinList(texts) {
  return texts.join(t('common.separator'));
}
