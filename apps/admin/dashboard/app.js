// The analysts' dashboard: log in with a role token, then the tabs its role may use over the admin's JSON API.
import { api, apiEvents, session } from './api.js';
import { createCells } from './cells.js';
import { createDirectives } from './directives.js';
import { setLanguage, t, translatePage } from './i18n.js';
import { readRoute, writeRoute } from './route.js';
import { createLookup } from './lookup.js';
import { createOverview } from './overview.js';
import { FormError, submitting } from './form.js';
import { clearError, h, retranslateErrors, showError } from './view.js';
import { loadReasons } from './reasons.js';

const loginSection = document.querySelector('#login');
const loginForm = document.querySelector('#login-form');
const loginError = loginForm.querySelector('[role=alert]');
const appSection = document.querySelector('#app');
const sessionBox = document.querySelector('#session');
// One tab a panel, in the panels' order: tab-<name> controls panel-<name>.
const tabs = [...document.querySelectorAll('[role=tabpanel]')].map((panel) => {
  const name = panel.id.slice('panel-'.length);
  return h('button', {
    type: 'button',
    role: 'tab',
    id: `tab-${name}`,
    'aria-controls': panel.id,
    'data-testid': `tab-${name}`,
    dataset: { i18n: `tabs.${name}` },
  });
});
document.querySelector('[role=tablist]').append(...tabs);
const NOTICE_KEY = 'dashboard.notice';

/**
 * The roles each tab's API admits (the @Roles of the admin's HTTP controllers): oversight for the
 * overview, the audited look-up, the directives list, the cell list. A role sees only its tabs.
 */
const TAB_ROLES = {
  overview: ['admin', 'analyst', 'carrier'],
  lookup: ['admin', 'analyst', 'police'],
  directives: ['admin', 'analyst'],
  cells: ['admin', 'analyst', 'carrier', 'police'],
};
/** Where a role starts: police look numbers up; the others watch the figures. */
const LANDING = { police: 'lookup' };

const noTabsNote = document.querySelector('#no-tabs');
const lookup = createLookup(document.querySelector('#panel-lookup'));
const views = {
  overview: createOverview(document.querySelector('#panel-overview'), {
    onOpenNumber: openNumber,
    onFilters: (filters) => readRoute().tab === 'overview' && writeRoute('overview', filters),
  }),
  lookup,
  directives: createDirectives(document.querySelector('#panel-directives'), {
    onFilters: (filters) => readRoute().tab === 'directives' && writeRoute('directives', filters),
  }),
  cells: createCells(document.querySelector('#panel-cells')),
};
let me;
/** The tabs the session's role may use, in the page's order. */
let allowedTabs = [];

async function logIn(token) {
  session.token = token;
  try {
    me = await api('/api/me');
    await loadReasons();
  } catch (error) {
    session.token = null;
    throw error;
  }
  const kind = me.role.split(':')[0];
  allowedTabs = Object.keys(views).filter((name) => TAB_ROLES[name].includes(kind));
  for (const tab of tabs) tab.hidden = !allowedTabs.includes(tab.id.slice('tab-'.length));
  views.directives.allowIssuing(kind === 'admin');
  views.cells.allowEditing(kind === 'admin' || kind === 'analyst');
  views.overview.configure({
    ownCarrier: kind === 'carrier' ? me.role.split(':')[1] : undefined,
    canLookUp: allowedTabs.includes('lookup'),
  });
  views.overview.allowReports(kind === 'admin' || kind === 'analyst');
  showWhoAmI();
  loginSection.hidden = true;
  appSection.hidden = false;
  sessionBox.hidden = false;
  noTabsNote.hidden = allowedTabs.length > 0;
  followRoute();
}

/** Shows the tab the URL names, with its filters, if the role may use it; else the role's landing tab. */
function followRoute() {
  const { tab, params } = readRoute();
  const preferred = LANDING[me.role.split(':')[0]];
  const landing = allowedTabs.includes(preferred) ? preferred : allowedTabs[0];
  const name = allowedTabs.includes(tab) ? tab : landing;
  if (!name) {
    for (const panel of document.querySelectorAll('[role=tabpanel]')) panel.hidden = true;
    return;
  }
  if (name === 'overview' || name === 'directives') views[name].restore(params);
  selectTab(name);
}

/** Forgets the token and reloads: nothing the last session showed (a number's record, the lists) survives. */
function logOut(noticeKey) {
  session.token = null;
  if (noticeKey) sessionStorage.setItem(NOTICE_KEY, noticeKey);
  location.reload();
}

/** Why the last session ended, if it did not end by choice (e.g. an expired token). */
function showNotice() {
  const key = sessionStorage.getItem(NOTICE_KEY);
  sessionStorage.removeItem(NOTICE_KEY);
  if (key) showError(loginError, new FormError(undefined, key));
}

function showWhoAmI() {
  document.querySelector('#whoami').textContent = t('login.whoami', { subject: me.subject, role: me.role });
  noTabsNote.textContent = t('tabs.none', { role: me.role });
}

function selectTab(name) {
  for (const tab of tabs) {
    const selected = tab.id === `tab-${name}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    document.getElementById(tab.getAttribute('aria-controls')).hidden = !selected;
  }
  writeRoute(name, views[name].filters?.() ?? {});
  views.overview.show(name === 'overview');
  // The lists change under other users' hands: fetch them each time they are shown.
  if (name === 'directives' || name === 'cells') views[name].load();
}

function openNumber(msisdn) {
  selectTab('lookup');
  lookup.prefill(msisdn);
}

/** Arrow keys move between tabs, as in the WAI-ARIA tabs pattern. */
function onTabKey(event) {
  const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
  if (!step) return;
  const shown = tabs.filter((tab) => !tab.hidden);
  const next = shown[(shown.indexOf(event.target) + step + shown.length) % shown.length];
  next.focus();
  selectTab(next.id.slice('tab-'.length));
}

function switchLanguage(lang) {
  setLanguage(lang);
  translatePage();
  if (me) showWhoAmI();
  for (const view of Object.values(views)) view.render();
  retranslateErrors();
}

loginForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError(loginError);
  const token = loginForm.elements.token.value.trim();
  if (!token) return showError(loginError, new FormError('token', 'login.empty'));
  try {
    await submitting(loginForm, () => logIn(token));
  } catch (error) {
    showError(loginError, error);
  }
});
document.querySelector('#logout').addEventListener('click', () => logOut());
apiEvents.addEventListener('unauthorized', () => me && logOut('login.expired'));
for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab.id.slice('tab-'.length)));
  tab.addEventListener('keydown', onTabKey);
}
// A link pasted or edited by hand (`#overview?from=…`) is followed without a reload.
window.addEventListener('hashchange', () => me && followRoute());
for (const button of document.querySelectorAll('[data-lang]'))
  button.addEventListener('click', () => switchLanguage(button.dataset.lang));

translatePage();
showNotice();
if (session.token) logIn(session.token).catch((error) => showError(loginError, error));
