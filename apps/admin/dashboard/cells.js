// High-risk cells: the versioned list that is pushed to the carriers; add and remove, each with a reason.
import { api } from './api.js';
import { t } from './i18n.js';
import { allowForm, FormError, markField, onSubmit, submitting } from './form.js';
import { clearError, formatTime, h, showError, table, whileLoading } from './view.js';

export function createCells(panel) {
  const addForm = panel.querySelector('#cell-form');
  const addError = addForm.querySelector('[role=alert]');
  const listError = panel.querySelector(':scope > [role=alert]');
  const version = panel.querySelector('#cells-version');
  const list = panel.querySelector('#cells-table');
  const dialog = panel.querySelector('#cell-remove-dialog');
  const removeForm = dialog.querySelector('form');
  const removeError = removeForm.querySelector('[role=alert]');
  let cellList;
  let editable = false;

  /** Analysts and the administration edit the list; other roles only read it. */
  function allowEditing(allowed) {
    editable = allowed;
    allowForm(addForm, allowed);
    render();
  }

  async function load() {
    clearError(listError);
    try {
      show((await whileLoading(panel, () => api('/api/cells'))).list);
    } catch (error) {
      showError(listError, error);
    }
  }

  function show(received) {
    cellList = received ?? { version: 0, cells: [] };
    render();
  }

  function render() {
    if (!cellList) return;
    version.textContent = String(cellList.version ?? 0);
    list.replaceChildren(
      table(
        [
          { head: 'col.cell', cell: (c) => h('code', {}, c.cell) },
          { head: 'col.reason', cell: (c) => c.reason },
          { head: 'col.source', cell: (c) => c.source },
          { head: 'col.addedAt', cell: (c) => formatTime(c.addedAt) },
          { head: 'col.expiresAt', cell: (c) => formatTime(c.expiresAt) },
          { head: 'col.actions', cell: (c) => removeButton(c.cell) },
        ],
        cellList.cells ?? [],
      ),
    );
  }

  function removeButton(cell) {
    return h(
      'button',
      {
        type: 'button',
        disabled: !editable,
        'aria-label': `${t('cells.remove')} ${cell}`,
        onclick: () => askRemoval(cell),
      },
      t('cells.remove'),
    );
  }

  async function add() {
    const invalid = [...addForm.elements].find((control) => control.willValidate && !control.checkValidity());
    if (invalid) throw new FormError(invalid.name, 'cells.invalid');
    const [cell, reason, source, days] = ['cell', 'reason', 'source', 'expiresInDays'].map((name) =>
      addForm.elements[name].value.trim(),
    );
    const body = { cell, reason, source, expiresInDays: Number(days) };
    show((await submitting(addForm, () => api('/api/cells', { method: 'POST', body }))).list);
    markField(addForm, undefined);
    addForm.elements.cell.value = '';
    addForm.elements.reason.value = '';
  }

  function askRemoval(cell) {
    removeForm.reset();
    clearError(removeError);
    dialog.dataset.cell = cell;
    dialog.querySelector('[data-field=cell]').textContent = cell;
    dialog.showModal();
  }

  async function remove() {
    const reason = removeForm.elements.reason.value.trim();
    const path = `/api/cells/${encodeURIComponent(dialog.dataset.cell)}?${new URLSearchParams({ reason })}`;
    if (!reason) throw new FormError('reason', 'cells.removeReasonRequired');
    show((await submitting(removeForm, () => api(path, { method: 'DELETE' }))).list);
    dialog.close();
  }

  onSubmit(addForm, addError, add);
  onSubmit(removeForm, removeError, remove);
  removeForm.querySelector('[data-action=cancel]').addEventListener('click', () => dialog.close());

  return { load, render, allowEditing };
}
