// Form plumbing shared by the tabs: a submission runs its work with the alert
// box cleared, the submit button disabled while it sends, and a failure shown
// with the field at fault marked.
import { clearError, showError } from './view.js';

/**
 * A request the page refuses before sending it: the form field at fault and
 * the message key (translated when shown, and again after a language switch).
 */
export class FormError extends Error {
  constructor(field, messageKey, values = {}) {
    super(messageKey);
    this.field = field;
    this.messageKey = messageKey;
    this.values = values;
  }
}

/**
 * Runs `work` on each submission of `form`, in place of the browser's: the
 * alert `box` cleared first; a failure (a FormError refused before sending, or
 * the server's answer) shown there with the field at fault marked.
 */
export function onSubmit(form, box, work) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearError(box);
    work().catch((error) => reportFailure(form, box, error));
  });
}

/** A form only some roles may use: disabled for the others, with its note saying why. */
export function allowForm(form, allowed) {
  form.querySelector('fieldset').disabled = !allowed;
  form.querySelector('.note').hidden = allowed;
}

/** Shows a form's failure and marks the control its field names (snake_case or camelCase, maybe indexed). */
export function reportFailure(form, box, error) {
  showError(box, error);
  markField(form, error.field);
}

export function markField(form, field) {
  for (const control of form.elements) control.removeAttribute('aria-invalid');
  const name = field?.split(/[.[]/)[0].replace(/_(\w)/g, (_, letter) => letter.toUpperCase());
  const control = name && form.elements.namedItem(name);
  if (control instanceof HTMLElement) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }
}

/** Disables a form's submit button while `work` runs (no double submission). */
export async function submitting(form, work) {
  const button = form.querySelector('[type=submit]');
  button.disabled = true;
  try {
    return await work();
  } finally {
    button.disabled = false;
  }
}
