// "Confirm it's you": a modal dialog asking for the password (and, with 2FA on, the app's code or a recovery
// code) when the server answers step_up_required. The action that asked is then tried again.
import { api } from './api.js';
import { describe } from './messages.js';
import { el, field, codeField, formMessage, showMessage, showFieldError, clearFieldError, busy } from './ui.js';

/** Resolves true once the session is confirmed, false when the person cancels. */
export function confirmIdentity(user) {
  return new Promise((resolve) => {
    const twoFactor = Boolean(user && user.twoFactorEnabled);
    const message = formMessage();
    const password = field('Password', { type: 'password', autocomplete: 'current-password', required: true });
    const submit = el('button', { type: 'submit', class: 'primary' }, 'Confirm');
    const code = codeField('6-digit code from your authenticator app', 6, () => {});
    const recovery = field('Recovery code', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    recovery.wrapper.hidden = true;
    const toggle = el('button', { type: 'button', class: 'link' }, 'Use a recovery code instead');
    toggle.addEventListener('click', () => {
      const useRecovery = recovery.wrapper.hidden;
      recovery.wrapper.hidden = !useRecovery;
      code.wrapper.hidden = useRecovery;
      toggle.textContent = useRecovery ? 'Use the authenticator app instead' : 'Use a recovery code instead';
      (useRecovery ? recovery.input : code.input).focus();
    });
    const cancel = el('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const form = el('form', { method: 'dialog', novalidate: true },
      el('h2', { id: 'step-up-heading' }, "Confirm it's you"),
      el('p', {}, twoFactor
        ? 'For your security, enter your password and a code from your authenticator app to continue.'
        : 'For your security, enter your password to continue.'),
      message, password.wrapper,
      twoFactor ? [code.wrapper, recovery.wrapper, toggle] : null,
      el('div', { class: 'actions' }, submit, cancel));
    const dialog = el('dialog', { class: 'step-up', 'aria-labelledby': 'step-up-heading' }, form);
    const close = (confirmed) => {
      dialog.close();
      dialog.remove();
      resolve(confirmed);
    };
    cancel.addEventListener('click', () => close(false));
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      [password, code, recovery].forEach(clearFieldError);
      if (!password.input.value) {
        showFieldError(password, 'Enter your password.');
        password.input.focus();
        return;
      }
      const useRecovery = twoFactor && !recovery.wrapper.hidden;
      busy(submit, async () => {
        try {
          await api.stepUp(password.input.value, twoFactor && !useRecovery ? code.value() : undefined,
            useRecovery ? recovery.input.value : undefined);
          close(true);
        } catch (error) {
          const target = error.code === 'invalid_credentials' ? password
            : error.code === 'invalid_code' || error.code === 'second_factor_required' ? (useRecovery ? recovery : code) : null;
          if (target) {
            showFieldError(target, describe(error));
            target.input.select();
          } else {
            showMessage(message, describe(error));
          }
        }
      });
    });
    document.body.append(dialog);
    dialog.showModal();
    password.input.focus();
  });
}
