// "Forgot password?", the reset link's page, and "This wasn't me" from a security notice. None of them logs anyone
// in; each link's token leaves the address bar as soon as the page opens.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t } from '../i18n.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, hideMessage, busy, heading, focusResult } from '../ui.js';

/**
 * The link's token, taken out of the address bar (and the history): kept in history.state, which survives a
 * reload of this page but never reaches a server, a Referer or web storage.
 */
function takeToken(params, path) {
  const token = params.get('token') || (history.state && history.state.linkToken) || '';
  history.replaceState({ linkToken: token }, '', path);
  return token;
}

export function forgotPasswordScreen(main, app) {
  const email = field(t('field.email'), { type: 'email', name: 'email', autocomplete: 'username', required: true,
    value: app.loginEmail || undefined, 'data-autofocus': true });
  app.loginEmail = null;
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('forgot.submit'));
  const form = el('form', { novalidate: true }, message, email.wrapper, submit);
  const card = el('section', { class: 'card' },
    heading(t('forgot.title')),
    el('p', {}, t('forgot.intro')),
    form,
    el('p', { class: 'switch' }, el('a', { href: '/login', 'data-link': true }, t('forgot.back'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(email);
    hideMessage(message);
    const address = email.input.value.trim();
    if (!address) {
      showFieldError(email, t('field.email.missing'));
      email.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await api.requestPasswordReset(address);
        // The same words whether or not an account has the address: the server does not say, and neither do we.
        const sent = el('p', { class: 'notice', role: 'status' }, t('forgot.sent', { email: address }));
        form.replaceWith(sent, el('p', { class: 'muted' }, t('forgot.notArrived')));
        focusResult(sent);
      } catch (error) {
        if (error.code === 'invalid_email') {
          showFieldError(email, describe(error));
          email.input.focus();
        } else {
          showMessage(message, describe(error));
        }
      }
    });
  });
  main.append(card);
}

export function resetPasswordScreen(main, app, params) {
  const token = takeToken(params, '/reset-password');
  const min = app.config.password.minLength;
  const password = field(t('reset.new'), { type: 'password', name: 'new-password', autocomplete: 'new-password',
    required: true, 'data-autofocus': true }, t('signup.passwordHint', { min }));
  const confirm = field(t('reset.confirm'), { type: 'password', name: 'confirm-password', autocomplete: 'new-password',
    required: true });
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('reset.submit'));
  const form = el('form', { novalidate: true }, message, password.wrapper, confirm.wrapper, submit);
  const card = el('section', { class: 'card' }, heading(t('reset.title')), el('p', {}, t('reset.intro')), form);
  const invalidLink = () => {
    const invalid = el('p', { class: 'form-message error', role: 'alert' }, t('reset.invalid'));
    form.replaceWith(invalid, el('p', {}, el('a', { href: '/forgot-password', 'data-link': true }, t('reset.askAgain'))));
    if (invalid.isConnected) focusResult(invalid);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [password, confirm].forEach(clearFieldError);
    hideMessage(message);
    if (!password.input.value) {
      showFieldError(password, t('reset.missing'));
      password.input.focus();
      return;
    }
    if (password.input.value !== confirm.input.value) {
      showFieldError(confirm, t('reset.mismatch'));
      confirm.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await api.completePasswordReset(token, password.input.value);
        history.replaceState({}, '', '/reset-password');
        // Every session of the account has ended, perhaps this browser's too.
        await app.refreshSession().catch(() => null);
        const done = el('p', { class: 'notice', role: 'status' }, t('reset.done'));
        form.replaceWith(done,
          el('p', {}, el('a', { href: '/login', 'data-link': true, class: 'button primary' }, t('reset.toLogin'))));
        focusResult(done);
      } catch (error) {
        if (error.code === 'invalid_token') {
          invalidLink();
        } else if (error.code === 'weak_password') {
          showFieldError(password, describe(error));
          password.input.focus();
        } else {
          showMessage(message, describe(error));
        }
      }
    });
  });
  main.append(card);
  if (!token) invalidLink();
}

export function secureAccountScreen(main, app, params) {
  const token = takeToken(params, '/secure-account');
  const message = formMessage();
  // A click, not the page load: a mail scanner that opens links must not log the owner out.
  const submit = el('button', { type: 'button', class: 'primary', 'data-autofocus': true }, t('secure.submit'));
  const body = el('div', {}, el('p', {}, t('secure.intro')), message, submit);
  main.append(el('section', { class: 'card' }, heading(t('secure.title')), body));
  submit.addEventListener('click', () => busy(submit, async () => {
    hideMessage(message);
    try {
      await api.secureAccount(token);
      history.replaceState({}, '', '/secure-account');
      await app.refreshSession().catch(() => null);
      const done = el('p', { class: 'notice', role: 'status' }, t('secure.done'));
      body.replaceChildren(done, el('p', { class: 'muted' }, t('secure.noMail'), ' ',
        el('a', { href: '/forgot-password', 'data-link': true }, t('login.forgot'))));
      focusResult(done);
    } catch (error) {
      if (error.code === 'invalid_token') {
        const invalid = el('p', { class: 'form-message error', role: 'alert' }, t('secure.invalid'));
        body.replaceChildren(invalid, el('p', {}, el('a', { href: '/forgot-password', 'data-link': true }, t('login.forgot'))));
        focusResult(invalid);
      } else {
        showMessage(message, describe(error));
      }
    }
  }));
}
