// The page's place in its URL: `#<tab>?<filters>`, e.g. `#overview?from=2026-11-01&to=2026-11-30&carrier=CMCC`,
// so that a link or a reload shows the same view.

/** The tab and the filters the URL names. */
export function readRoute() {
  const [tab = '', query = ''] = location.hash.slice(1).split('?');
  return { tab, params: new URLSearchParams(query) };
}

/** Puts a tab and its filters in the URL, without a new history entry and without reloading. */
export function writeRoute(tab, params = {}) {
  const query = new URLSearchParams(
    Object.entries(params).filter(([, value]) => value !== undefined && value !== ''),
  ).toString();
  history.replaceState(null, '', `#${tab}${query ? `?${query}` : ''}`);
}
