// Directives: the list with delivery and acknowledgement, and the form that issues one (administration only).
import { api, withQuery } from './api.js';
import { label, t } from './i18n.js';
import { allowForm, FormError, markField, onSubmit, submitting } from './form.js';
import { clearError, enumValue, formatNumber, formatTime, h, showError, table, whileLoading } from './view.js';

export function createDirectives(panel, { onFilters }) {
  const issueForm = panel.querySelector('#directive-form');
  const filterForm = panel.querySelector('#directives-filter');
  const issueError = issueForm.querySelector('[role=alert]');
  const issueStatus = issueForm.querySelector('[role=status]');
  const listError = panel.querySelector(':scope > [role=alert]');
  const list = panel.querySelector('#directives-table');
  const moreButton = panel.querySelector('#directives-more');
  let directives;
  let nextPageToken;

  /** Only the administration issues directives: other roles see the form disabled, with a note. */
  function allowIssuing(allowed) {
    allowForm(issueForm, allowed);
  }

  /** The first page of the filtered list, or the next one after `pageToken` (appended). */
  async function load(pageToken) {
    clearError(listError);
    onFilters(filters());
    const filter = { ...Object.fromEntries(new FormData(filterForm)), pageToken };
    try {
      const page = await whileLoading(panel, () => api(withQuery('/api/directives', filter)));
      directives = pageToken ? [...directives, ...(page.directives ?? [])] : (page.directives ?? []);
      nextPageToken = page.nextPageToken || undefined;
      render();
    } catch (error) {
      showError(listError, error);
    }
  }

  /** The filters the URL keeps: carrier and status (a number stays out of the address, as in the look-up). */
  function filters() {
    return { carrier: filterForm.elements.carrier.value, status: filterForm.elements.status.value };
  }

  /** Takes the filters of a URL (`#directives?carrier=CTCC&status=PENDING`); an unknown value means all. */
  function restore(params) {
    for (const name of ['carrier', 'status']) {
      const select = filterForm.elements[name];
      const value = params.get(name) ?? '';
      select.value = [...select.options].some((option) => option.value === value) ? value : '';
    }
  }

  function render() {
    if (!directives) return;
    list.replaceChildren(directivesTable(directives));
    moreButton.hidden = !nextPageToken;
  }

  async function issue() {
    issueStatus.textContent = '';
    const [msisdn, kind, reason] = ['msisdn', 'kind', 'reason'].map((name) => issueForm.elements[name].value.trim());
    if (!msisdn) throw new FormError('msisdn', 'directives.reasonRequired');
    if (!reason) throw new FormError('reason', 'directives.reasonRequired');
    const record = await submitting(issueForm, () =>
      api('/api/directives', { method: 'POST', body: { msisdn, kind, reason } }),
    );
    markField(issueForm, undefined);
    issueStatus.textContent = t('directives.issued', { id: record.directive.directiveId, carrier: record.carrier });
    issueForm.elements.reason.value = '';
    await load();
  }

  onSubmit(issueForm, issueError, issue);
  filterForm.addEventListener('submit', (event) => {
    event.preventDefault();
    load();
  });
  moreButton.addEventListener('click', () => load(nextPageToken));

  return { load: () => load(), render, allowIssuing, filters, restore };
}

/** Directive records as a table (also used by the number look-up). */
export function directivesTable(records) {
  return table(
    [
      { head: 'col.issuedAt', cell: (r) => formatTime(r.directive.issuedAt) },
      { head: 'col.directiveId', cell: (r) => h('code', {}, r.directive.directiveId) },
      { head: 'col.kind', cell: (r) => label('kind', enumValue(r.directive.kind)) },
      { head: 'col.msisdn', cell: (r) => r.directive.msisdn || '–' },
      { head: 'col.carrier', cell: (r) => r.carrier },
      { head: 'col.status', cell: (r) => statusBadge(enumValue(r.status)) },
      { head: 'col.deliveries', cell: (r) => formatNumber(r.deliveries), numeric: true },
      { head: 'col.ack', cell: (r) => r.ackDetail || '–' },
      { head: 'col.reason', cell: (r) => r.directive.reason },
      { head: 'col.expiresAt', cell: (r) => formatTime(r.directive.expiresAt) },
    ],
    records,
  );
}

function statusBadge(status) {
  return h('span', { className: `badge status-${status}` }, label('status', status));
}
