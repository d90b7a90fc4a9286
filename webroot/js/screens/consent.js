// The consent screen: an application that is not first-party asks to use the account (OpenID Connect).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t } from '../i18n.js';
import { el, formMessage, showMessage, busy, heading } from '../ui.js';

export async function consentScreen(main, app, params) {
  const id = params.get('authorization') || '';
  let request;
  try {
    request = await api.authorization(id);
  } catch (error) {
    main.append(el('section', { class: 'card' }, heading(t('oidc.error.title')), el('p', {}, t('oidc.error.authorization_expired'))));
    return;
  }
  const client = request.clientName;
  const gets = [];
  if (request.scopes.includes('email')) gets.push(el('li', {}, t('consent.email')));
  if (request.scopes.includes('offline_access')) gets.push(el('li', {}, t('consent.offline', { client })));
  const message = formMessage();
  const answer = (allow) => async () => {
    try {
      const next = await api.consent(id, allow);
      location.assign(next.location);
    } catch (error) {
      showMessage(message, describe(error));
    }
  };
  const allow = el('button', { type: 'button', class: 'primary' }, t('consent.allow'));
  const deny = el('button', { type: 'button', class: 'secondary' }, t('consent.deny'));
  allow.addEventListener('click', () => busy(allow, answer(true)));
  deny.addEventListener('click', () => busy(deny, answer(false)));
  main.append(el('section', { class: 'card' },
    heading(t('consent.title', { client })),
    el('p', {}, t('consent.who', { email: app.session.user.email })),
    gets.length ? el('p', {}, t('consent.gets', { client })) : null,
    gets.length ? el('ul', {}, gets) : null,
    message,
    el('div', { class: 'actions' }, allow, deny)));
}
