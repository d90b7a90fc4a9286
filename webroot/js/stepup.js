// "Confirm it's you": a modal dialog asking for the password (and, with 2FA on, the app's code or a recovery
// code) when the server answers step_up_required. The action that asked is then tried again.
import { api } from './api.js';
import { describe } from './messages.js';
import { t } from './i18n.js';
import { el, field, codeField, formMessage, showMessage, showFieldError, clearFieldError, busy } from './ui.js';

/** Resolves true once the session is confirmed, false when the person cancels. */
export function confirmIdentity(user, digits) {
  return new Promise((resolve) => {
    const twoFactor = Boolean(user && user.twoFactorEnabled);
    const message = formMessage();
    const password = field(t('stepUp.password'), { type: 'password', autocomplete: 'current-password', required: true });
    const submit = el('button', { type: 'submit', class: 'primary' }, t('stepUp.confirm'));
    const code = codeField(t('stepUp.code', { digits }), digits, () => {});
    const recovery = field(t('stepUp.recoveryCode'), { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    recovery.wrapper.hidden = true;
    const toggle = el('button', { type: 'button', class: 'link-button' }, t('stepUp.useRecoveryCode'));
    toggle.addEventListener('click', () => {
      const useRecovery = recovery.wrapper.hidden;
      recovery.wrapper.hidden = !useRecovery;
      code.wrapper.hidden = useRecovery;
      toggle.textContent = t(useRecovery ? 'stepUp.useApp' : 'stepUp.useRecoveryCode');
      (useRecovery ? recovery.input : code.input).focus();
    });
    const cancel = el('button', { type: 'button', class: 'secondary' }, t('stepUp.cancel'));
    const form = el('form', { method: 'dialog', novalidate: true },
      el('h2', { id: 'step-up-heading' }, t('stepUp.title')),
      el('p', {}, t(twoFactor ? 'stepUp.intro2fa' : 'stepUp.intro')),
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
        showFieldError(password, t('stepUp.passwordMissing'));
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
          const codeError = error.code === 'invalid_code' || error.code === 'second_factor_required';
          const target = error.code === 'invalid_credentials' ? password : codeError ? (useRecovery ? recovery : code) : null;
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
