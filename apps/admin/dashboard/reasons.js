// Reason codes in plain language, from the server (the same texts carriers send subscribers).
import { api } from './api.js';
import { language } from './i18n.js';

let labels = new Map();

export async function loadReasons() {
  const { reasons } = await api('/api/reasons');
  labels = new Map(reasons.map((reason) => [reason.code, reason]));
}

/** "短时间内外呼次数异常多 (CALL_BURST)"; the bare code when the server did not name it. */
export function reasonText(code) {
  const reason = labels.get(code);
  return reason ? `${language() === 'en' ? reason.en : reason.zh} (${code})` : code;
}
