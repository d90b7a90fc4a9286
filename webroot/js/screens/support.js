// The support desk: look a user up, and turn 2FA off (with a reason and how identity was verified).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDate } from '../i18n.js';
import { activityView } from '../activity.js';
import { settingRow, twoFactorRow, recoveryCodesRow } from './account.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, busy, heading } from '../ui.js';

export function supportScreen(main, app) {
  const result = el('div', { 'aria-live': 'polite' });
  const email = field(t('support.email'), { type: 'email', autocomplete: 'off', required: true, 'data-autofocus': true });
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('support.lookUp'));
  const form = el('form', { novalidate: true, class: 'lookup' }, message, email.wrapper, submit);
  const lookUp = () => busy(submit, async () => {
    clearFieldError(email);
    message.hidden = true;
    try {
      const found = await api.supportLookup(email.input.value.trim());
      result.replaceChildren(userCard(app, found, lookUp));
    } catch (error) {
      result.replaceChildren();
      if (error.code === 'user_not_found' || error.code === 'invalid_request') {
        showFieldError(email, error.code === 'user_not_found' ? describe(error) : t('field.email.missing'));
      } else {
        showMessage(message, describe(error));
      }
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    lookUp();
  });
  main.append(el('div', { class: 'page' },
    heading(t('support.title')),
    el('p', { class: 'muted' }, t('support.intro')),
    el('section', { class: 'card', 'aria-label': t('support.lookUpLabel') }, form),
    result));
}

function userCard(app, found, refresh) {
  const user = found.user;
  const card = el('section', { class: 'card', 'aria-labelledby': 'found-user' },
    el('h2', { id: 'found-user' }, user.email),
    el('dl', { class: 'settings' }, twoFactorRow(user), recoveryCodesRow(user, app.config.recoveryCodes.count),
      settingRow(t('support.memberSince'), formatDate(user.createdAt))));
  if (user.twoFactorEnabled) {
    card.append(disableForm(user.email, refresh));
  }
  const view = activityView({ label: t('support.activityLabel', { email: user.email }) });
  view.set(found.activity);
  card.append(el('h3', {}, t('support.activity')), view.chips, view.list);
  return card;
}

function disableForm(email, refresh) {
  const reason = field(t('support.reason'), { rows: '2', maxlength: '1000', required: true }, undefined, 'textarea');
  const verification = field(t('support.verification'), { rows: '3', maxlength: '1000', required: true },
    t('support.verificationHint'), 'textarea');
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'danger' }, t('support.disable'));
  const form = el('form', { novalidate: true, class: 'panel' },
    el('h3', {}, t('support.disable')),
    el('p', { class: 'warning' }, t('support.disableWarning', { email })),
    message, reason.wrapper, verification.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [reason, verification].forEach(clearFieldError);
    const missing = [reason, verification].find((f) => !f.input.value.trim());
    if (missing) {
      showFieldError(missing, t('field.required'));
      missing.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await api.supportDisableTotp(email, reason.input.value.trim(), verification.input.value.trim());
        await refresh();
        document.getElementById('found-user').after(el('p', { class: 'notice', role: 'status' },
          t('support.disabled', { email })));
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  return form;
}
