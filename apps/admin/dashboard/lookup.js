// Number look-up: a number across every carrier, with its directives and its case. Audited, with a purpose.
import { api, withQuery } from './api.js';
import { directivesTable } from './directives.js';
import { label, t } from './i18n.js';
import { eventText, evidenceText, reasonList } from './server-text.js';
import { FormError, markField, onSubmit, submitting } from './form.js';
import { enumValue, formatNumber, formatTime, h, table, toDate, whileLoading } from './view.js';

const SLA_REFRESH_MS = 30_000;

export function createLookup(panel) {
  const form = panel.querySelector('#lookup-form');
  const errorBox = panel.querySelector('[role=alert]');
  const result = panel.querySelector('#lookup-result');
  let record;
  let slaTimer;

  async function lookUp() {
    // Whatever was shown belongs to the last look-up: it goes first, so that a refused or failed
    // look-up never leaves another number's record under its error.
    clear();
    const msisdn = form.elements.msisdn.value.trim();
    const purpose = form.elements.purpose.value.trim();
    if (!msisdn) throw new FormError('msisdn', 'lookup.msisdnRequired');
    if (!purpose) throw new FormError('purpose', 'lookup.purposeRequired');
    record = await submitting(form, () =>
      whileLoading(panel, () => api(withQuery(`/api/numbers/${encodeURIComponent(msisdn)}`, { purpose }))),
    );
    markField(form, undefined);
    render();
  }

  function clear() {
    record = undefined;
    clearInterval(slaTimer);
    result.replaceChildren();
  }

  function render() {
    clearInterval(slaTimer);
    if (!record) return;
    result.replaceChildren(
      ownerBlock(record),
      registryBlock(record),
      h('h3', {}, t('lookup.decisions')),
      h('div', { 'data-testid': 'lookup-decisions' }, decisionsTable(record.decisions ?? [])),
      h('h3', {}, t('lookup.directives')),
      h('div', { 'data-testid': 'lookup-directives' }, directivesTable(record.directives ?? [])),
      h('h3', {}, t('lookup.case')),
      caseBlock(record.case),
    );
    const clock = result.querySelector('[data-sla]');
    if (clock) slaTimer = setInterval(() => (clock.textContent = slaText(record.case)), SLA_REFRESH_MS);
  }

  /** Shows a number in the form, ready for a purpose (from the overview's tables). */
  function prefill(msisdn) {
    if (form.elements.msisdn.value !== msisdn) clear();
    form.elements.msisdn.value = msisdn;
    form.elements.purpose.focus();
  }

  onSubmit(form, errorBox, lookUp);

  return { render, prefill };
}

function ownerBlock({ msisdn, owner }) {
  return h(
    'p',
    { className: 'meta', 'data-testid': 'lookup-owner' },
    h('strong', {}, msisdn),
    ` · ${owner?.carrier ? t('lookup.owner', { carrier: owner.carrier }) : t('lookup.noOwner')}`,
    owner?.ported ? ` (${t('lookup.ported')})` : '',
  );
}

/** The registry's status beside the carriers' steps: CONFIRMED outranks them all. */
function registryBlock({ registryStatus }) {
  const status = String(registryStatus ?? '').replace(/^NUMBER_STATUS_/, '') || 'UNSPECIFIED';
  return h(
    'p',
    { className: 'meta', 'data-testid': 'lookup-registry' },
    t('lookup.registry'),
    h('span', { className: `badge registry-${status}` }, label('registry', status)),
    status === 'CONFIRMED' ? ` ${t('lookup.registryConfirmed')}` : '',
  );
}

function decisionsTable(decisions) {
  return table(
    [
      { head: 'col.carrier', cell: (r) => r.carrier },
      { head: 'col.at', cell: (r) => formatTime(r.decision.at) },
      { head: 'col.action', cell: (r) => actionText(r.decision) },
      { head: 'col.reasons', cell: (r) => reasonList(r.decision.reasons ?? []) },
      { head: 'col.score', cell: (r) => formatNumber(r.decision.score, 2), numeric: true },
      { head: 'col.policy', cell: (r) => r.decision.policy },
      { head: 'col.evidence', cell: (r) => evidenceText(r.decision.evidence) },
      { head: 'col.cells', cell: (r) => cellsList(r.decision.evidence?.cells ?? []) },
    ],
    decisions,
  );
}

function actionText({ action, previous }) {
  const now = label('action', enumValue(action));
  const before = enumValue(previous);
  return before && before !== 'UNSPECIFIED' ? `${label('action', before)} → ${now}` : now;
}

function cellsList(cells) {
  return h(
    'ul',
    { className: 'cells' },
    cells.map((c) => h('li', {}, h('code', {}, c.cell), ` ${formatTime(c.at)} · ${label('activity', c.activity)}`)),
  );
}

function caseBlock(found) {
  if (!found) return h('p', { 'data-testid': 'lookup-case' }, t('lookup.noCase'));
  const status = enumValue(found.status);
  return h(
    'div',
    { 'data-testid': 'lookup-case' },
    h(
      'dl',
      { className: 'facts' },
      fact('lookup.caseId', h('code', {}, found.caseId)),
      fact('col.status', h('span', { className: `badge status-${status}` }, label('case', status))),
      fact('lookup.openedAt', formatTime(found.openedAt)),
      fact('lookup.dueAt', formatTime(found.dueAt)),
      fact('lookup.sla', h('span', { dataset: { sla: '' } }, slaText(found))),
    ),
    h('h4', {}, t('lookup.events')),
    table(
      [
        { head: 'col.at', cell: (e) => formatTime(e.at) },
        { head: 'col.actor', cell: (e) => e.actor },
        { head: 'col.what', cell: (e) => eventText(e.what) },
      ],
      found.events ?? [],
    ),
  );
}

function fact(key, value) {
  return [h('dt', {}, t(key)), h('dd', {}, value)];
}

/** The service-level clock of an open case: time left until it is due, or how late it is. */
function slaText(found) {
  const due = toDate(found.dueAt);
  if (!due || enumValue(found.status) !== 'OPEN') return t('lookup.slaNone');
  const minutesLeft = Math.round((due.getTime() - Date.now()) / 60_000);
  const span = { hours: Math.floor(Math.abs(minutesLeft) / 60), minutes: Math.abs(minutesLeft) % 60 };
  return minutesLeft >= 0 ? t('lookup.slaLeft', span) : t('lookup.slaOver', span);
}
