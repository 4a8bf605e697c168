// The dashboard's JSON API: every request carries the session's role token.

const TOKEN_KEY = 'dashboard.token';

/** A refused or failed request: the server's {error, message, field}, with the HTTP status. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || body.error || '');
    this.status = status;
    this.code = body.error;
    this.field = body.field;
  }
}

/** Fires `unauthorized` when the server refuses the session's token (expired, or signed with another key). */
export const apiEvents = new EventTarget();

/** The server could not be reached at all (fetch itself failed). */
export class NetworkError extends Error {}

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** `path` with the query parameters that have a value. */
export function withQuery(path, params = {}) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== ''),
  ).toString();
  return query ? `${path}?${query}` : path;
}

async function send(path, { method = 'GET', body } = {}) {
  const headers = { authorization: `Bearer ${session.token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new NetworkError(error.message);
  }
  if (response.status === 401) apiEvents.dispatchEvent(new Event('unauthorized'));
  if (!response.ok) throw new ApiError(response.status, await errorBody(response));
  return response;
}

async function errorBody(response) {
  try {
    return await response.json();
  } catch {
    return {};
  }
}

/** The JSON answer of a request; throws ApiError when the server refuses it. */
export async function api(path, options) {
  const response = await send(path, options);
  return response.status === 204 ? {} : response.json();
}

/** Downloads a file the API answers (a CSV export, the monthly report): a plain link could not carry the token. */
export async function downloadFile(path, filename) {
  const blob = await (await send(path)).blob();
  const url = URL.createObjectURL(blob);
  const link = Object.assign(document.createElement('a'), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export const downloadCsv = downloadFile;
