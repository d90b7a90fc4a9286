// The page a verification mail links to: posts the link's token once and says how it went.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t } from '../i18n.js';
import { el, heading } from '../ui.js';

export async function verifyEmailScreen(main, app, params) {
  const token = params.get('token') || '';
  // The token leaves the address bar (and the history) before anything else happens.
  history.replaceState({}, '', '/verify-email');
  const status = el('p', { role: 'status' }, t('verify.working'));
  const next = app.session.state === 'authenticated'
    ? el('a', { href: '/account', 'data-link': true }, t('verify.toAccount'))
    : el('a', { href: '/login', 'data-link': true }, t('verify.toLogin'));
  main.append(el('div', { class: 'page narrow' }, heading(t('verify.title')), status, el('p', {}, next)));
  try {
    await api.verifyEmail(token);
    status.textContent = t('verify.done');
    status.className = 'notice';
  } catch (error) {
    status.textContent = error.code === 'invalid_token' ? t('verify.invalid') : describe(error);
    status.className = 'form-message error';
    status.setAttribute('role', 'alert');
  }
}
