// The page the owner's "This wasn't me: cancel it" link opens: posts the link's token once and says how it went.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t } from '../i18n.js';
import { el, heading } from '../ui.js';

export async function cancelSupportRequestScreen(main, app, params) {
  const token = params.get('token') || '';
  // The token leaves the address bar (and the history) before anything else happens.
  history.replaceState({}, '', '/support/cancel');
  const status = el('p', { role: 'status' }, t('supportCancel.working'));
  const advice = el('p', { hidden: true }, t('supportCancel.advice'));
  const next = app.session.state === 'authenticated'
    ? el('a', { href: '/account', 'data-link': true }, t('verify.toAccount'))
    : el('a', { href: '/login', 'data-link': true }, t('verify.toLogin'));
  main.append(el('div', { class: 'page narrow' }, heading(t('supportCancel.title')), status, advice, el('p', {}, next)));
  try {
    await api.cancelSupportRequest(token);
    status.textContent = t('supportCancel.done');
    status.className = 'notice';
    advice.hidden = false;
  } catch (error) {
    status.textContent = error.code === 'invalid_token' ? t('supportCancel.invalid') : describe(error);
    status.className = 'form-message error';
    status.setAttribute('role', 'alert');
  }
}
