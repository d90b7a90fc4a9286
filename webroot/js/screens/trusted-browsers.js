// Account › Trusted browsers: the browsers that skip the code step of a login, each with "Remove", and "Remove all".
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDate, formatDateTime } from '../i18n.js';
import { describeBrowser } from '../activity.js';
import { el, formMessage, showMessage, busy, focusResult } from '../ui.js';

export function trustedBrowsersSection(app, user) {
  if (!user.twoFactorEnabled || !app.config.trustedBrowserDays) return null;
  const list = el('ul', { class: 'sessions', 'aria-label': t('trust.label') });
  const empty = el('p', { class: 'muted', hidden: true }, t('trust.none'));
  const message = formMessage();
  const all = el('button', { type: 'button', class: 'secondary', hidden: true }, t('trust.removeAll'));
  const show = ({ trustedBrowsers }) => {
    list.replaceChildren(...trustedBrowsers.map((browser) => item(browser, act)));
    list.hidden = trustedBrowsers.length === 0;
    empty.hidden = trustedBrowsers.length > 0;
    all.hidden = trustedBrowsers.length < 2;
  };
  const act = (button, action) => busy(button, async () => {
    try {
      show(await action());
      showMessage(message, t('trust.removed'), 'success');
      focusResult(message);
    } catch (error) {
      showMessage(message, describe(error));
    }
  });
  all.addEventListener('click', () => act(all, () => api.removeAllTrustedBrowsers()));
  api.trustedBrowsers().then(show).catch((error) => showMessage(message, describe(error)));
  return el('section', { class: 'card', 'aria-labelledby': 'trusted-heading', id: 'trusted-browsers' },
    el('h2', { id: 'trusted-heading' }, t('trust.title')),
    el('p', { class: 'muted' }, t('trust.intro', { days: app.config.trustedBrowserDays })),
    message, empty, list, all);
}

function item(browser, act) {
  const name = describeBrowser(browser.browser);
  const row = el('li', { class: 'session' },
    el('div', { class: 'event-main' },
      el('span', { class: 'event-type' }, name),
      browser.current ? el('span', { class: 'badge on' }, t('sessions.thisBrowser')) : null),
    el('div', { class: 'event-meta' },
      browser.ip || t('activity.unknownAddress'), ' · ',
      el('span', { class: 'keep-together' }, t('trust.since', { date: formatDate(browser.createdAt) })), ' · ',
      el('span', { class: 'keep-together' }, t('trust.lastUsed'), ' ',
        el('time', { datetime: browser.lastUsedAt }, formatDateTime(browser.lastUsedAt)))));
  const remove = el('button', { type: 'button', class: 'secondary small',
    'aria-label': t('trust.removeOne', { browser: name }) }, t('trust.remove'));
  remove.addEventListener('click', () => act(remove, () => api.removeTrustedBrowser(browser.id)));
  row.append(remove);
  return row;
}
