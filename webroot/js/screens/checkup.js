// The 2FA check-up on Account (28 days after the app was added, then every 28 days): a current code and "I still
// have my recovery codes", or "Not now". Shown only when the server says it is due.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t } from '../i18n.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, busy, focusResult } from '../ui.js';

/** A placeholder that becomes the check-up card when one is due (nothing otherwise). */
export function checkupCard(app, user, onNewCodes) {
  const slot = el('div', { class: 'checkup-slot' });
  if (!user.twoFactorEnabled || user.authenticatorApp === false) return slot;
  api.checkup().then((state) => {
    if (state.due) slot.replaceChildren(card(app, user, slot, onNewCodes));
  }).catch(() => {});
  return slot;
}

function card(app, user, slot, onNewCodes) {
  const digits = app.config.totp.digits;
  const message = formMessage();
  const code = field(t('totp.codeLabel', { digits }), {
    name: 'checkup-code', inputmode: 'numeric', autocomplete: 'one-time-code', maxlength: '10', required: true,
  });
  const kept = el('input', { type: 'checkbox', id: 'checkup-kept' });
  const check = el('button', { type: 'submit', class: 'primary' }, t('checkup.submit'));
  const later = el('button', { type: 'button', class: 'secondary' }, t('checkup.later'));
  const newCodes = el('button', { type: 'button', class: 'link-button' }, t('checkup.lostCodes'));
  newCodes.addEventListener('click', onNewCodes);
  const form = el('form', { novalidate: true }, message, code.wrapper,
    el('p', { class: 'tick' }, kept, ' ', el('label', { for: 'checkup-kept' },
      t('checkup.kept', { n: user.recoveryCodesRemaining }))),
    el('p', {}, newCodes),
    el('div', { class: 'inline-actions' }, check, later));
  const section = el('section', { class: 'card checkup', 'aria-labelledby': 'checkup-heading' },
    el('h2', { id: 'checkup-heading' }, t('checkup.title')),
    el('p', {}, t('checkup.intro')), form);
  const done = (text) => {
    const result = el('p', { class: 'notice', role: 'status' }, text);
    section.replaceChildren(el('h2', { id: 'checkup-heading' }, t('checkup.title')), result);
    focusResult(result);
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(code);
    if (!code.input.value.trim()) {
      showFieldError(code, t('checkup.missing', { digits }));
      return;
    }
    if (!kept.checked) {
      showMessage(message, t('checkup.keptMissing'));
      return;
    }
    busy(check, async () => {
      try {
        await api.confirmCheckup(code.input.value);
        done(t('checkup.done'));
      } catch (error) {
        showFieldError(code, describe(error));
      }
    });
  });
  later.addEventListener('click', () => busy(later, async () => {
    try {
      await api.dismissCheckup();
      slot.replaceChildren();
    } catch (error) {
      showMessage(message, describe(error));
    }
  }));
  return section;
}
