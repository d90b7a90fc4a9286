// The support desk: look a user up, and turn 2FA off (with a reason and how identity was verified).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { activityItem, settingRow, twoFactorRow, recoveryCodesRow } from './account.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, busy, heading } from '../ui.js';

export function supportScreen(main) {
  const result = el('div', { 'aria-live': 'polite' });
  const email = field("User's email address", { type: 'email', autocomplete: 'off', required: true, 'data-autofocus': true });
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Look up');
  const form = el('form', { novalidate: true, class: 'lookup' }, message, email.wrapper, submit);
  const lookUp = () => busy(submit, async () => {
    clearFieldError(email);
    message.hidden = true;
    try {
      const found = await api.supportLookup(email.input.value.trim());
      result.replaceChildren(userCard(found, lookUp));
    } catch (error) {
      result.replaceChildren();
      if (error.code === 'user_not_found' || error.code === 'invalid_request') {
        showFieldError(email, error.code === 'user_not_found' ? describe(error) : 'Enter an email address.');
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
    heading('Support desk'),
    el('p', { class: 'muted' }, 'Help a person who lost both their authentication device and their recovery codes. '
      + 'Verify who they are first, for example by asking about information they uploaded before.'),
    el('section', { class: 'card', 'aria-label': 'Look up a user' }, form),
    result));
}

function userCard(found, refresh) {
  const user = found.user;
  const card = el('section', { class: 'card', 'aria-labelledby': 'found-user' },
    el('h2', { id: 'found-user' }, user.email),
    el('dl', { class: 'settings' }, twoFactorRow(user), recoveryCodesRow(user),
      settingRow('Member since', new Date(user.createdAt).toLocaleDateString())));
  if (user.twoFactorEnabled) {
    card.append(disableForm(user.email, refresh));
  }
  card.append(el('h3', {}, 'Recent activity'),
    el('ol', { class: 'activity', 'aria-label': 'Recent activity of ' + user.email + ', newest first' },
      found.activity.length ? found.activity.map(activityItem) : el('li', {}, 'No activity yet.')));
  return card;
}

function disableForm(email, refresh) {
  const reason = field('Reason', { rows: '2', maxlength: '1000', required: true }, undefined, 'textarea');
  const verification = field('How identity was verified', { rows: '3', maxlength: '1000', required: true },
    'For example: which questions about previously uploaded information they answered.', 'textarea');
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'danger' }, 'Disable 2FA');
  const form = el('form', { novalidate: true, class: 'panel' },
    el('h3', {}, 'Disable 2FA'),
    el('p', { class: 'warning' }, 'This removes the authenticator key and every recovery code, and ends all of '
      + email + "'s sessions. It is recorded, with your name, in their activity."),
    message, reason.wrapper, verification.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [reason, verification].forEach(clearFieldError);
    const missing = [reason, verification].find((f) => !f.input.value.trim());
    if (missing) {
      showFieldError(missing, 'This is required.');
      missing.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await api.supportDisableTotp(email, reason.input.value.trim(), verification.input.value.trim());
        await refresh();
        document.getElementById('found-user').after(el('p', { class: 'notice', role: 'status' },
          '2FA is now off for ' + email + '. Their sessions have ended and their recovery codes no longer work.'));
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  return form;
}
