// Account › "Apps you've logged in to": each application this account logged in to, and "Remove access".
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDateTime } from '../i18n.js';
import { el, formMessage, showMessage, busy, focusResult } from '../ui.js';

/** The card, shown once the list has arrived and only when it holds an application. */
export function appsSection() {
  const list = el('ul', { class: 'sessions', 'aria-label': t('apps.label') });
  const message = formMessage();
  const section = el('section', { class: 'card', 'aria-labelledby': 'apps-heading', hidden: true },
    el('h2', { id: 'apps-heading' }, t('apps.title')),
    el('p', { class: 'muted' }, t('apps.intro')),
    message, list);
  const draw = (apps) => {
    list.replaceChildren(...apps.map((app) => appItem(app, remove)));
    if (apps.length) section.hidden = false;
  };
  const remove = (button, app) => busy(button, async () => {
    try {
      draw((await api.removeApp(app.clientId)).apps);
      showMessage(message, t('apps.removed'), 'success');
      focusResult(message);
    } catch (error) {
      showMessage(message, describe(error));
    }
  });
  api.apps().then(({ apps }) => draw(apps)).catch((error) => {
    section.hidden = false;
    showMessage(message, describe(error));
  });
  return section;
}

function appItem(app, remove) {
  const button = el('button', { type: 'button', class: 'secondary small',
    'aria-label': t('apps.removeOne', { client: app.name }) }, t('apps.remove'));
  button.addEventListener('click', () => remove(button, app));
  return el('li', { class: 'session' },
    el('div', { class: 'event-main' }, el('span', { class: 'event-type' }, app.name)),
    el('div', { class: 'event-meta' }, t('apps.lastUsed'), ' ',
      el('time', { datetime: app.lastUsedAt }, formatDateTime(app.lastUsedAt))),
    button);
}
