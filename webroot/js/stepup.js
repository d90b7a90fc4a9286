// "Confirm it's you": a modal dialog asking for the password (and, with 2FA on, the app's code or a recovery
// code) when the server answers step_up_required. The action that asked is then tried again.
import { api } from './api.js';
import { describe } from './messages.js';
import { t } from './i18n.js';
import { el, field, codeField, formMessage, showMessage, showFieldError, clearFieldError, busy } from './ui.js';
import { usePasskey, passkeysSupported, passkeyProblem } from './passkey.js';

/**
 * Resolves true once the session is confirmed, false when the person cancels. {@code password}: one the person
 * just typed for the action that asked (the password form's current password), so only the second factor is
 * asked for. {@code recoveryFirst}: open on "Recovery code" (this session logged in with one: the phone may be
 * gone).
 */
export function confirmIdentity(user, digits, { password: given, recoveryFirst = false } = {}) {
  return new Promise((resolve) => {
    const twoFactor = Boolean(user && user.twoFactorEnabled);
    // Passkeys and no authenticator app: the passkey, or a recovery code, is the second factor.
    const passkeyOnly = twoFactor && user.authenticatorApp === false && user.passkeys > 0 && passkeysSupported();
    const message = formMessage();
    const password = field(t('stepUp.password'), { type: 'password', autocomplete: 'current-password', required: true });
    password.wrapper.hidden = Boolean(given);
    const submit = el('button', { type: 'submit', class: 'primary' }, t('stepUp.confirm'));
    const code = codeField(t('stepUp.code', { digits }), digits, () => {});
    const recovery = field(t('stepUp.recoveryCode'), { type: 'text', autocomplete: 'off', spellcheck: 'false' });
    const toggle = el('button', { type: 'button', class: 'link-button' });
    const showRecovery = (useRecovery) => {
      recovery.wrapper.hidden = !useRecovery;
      code.wrapper.hidden = useRecovery || passkeyOnly;
      toggle.textContent = t(useRecovery ? 'stepUp.useApp' : 'stepUp.useRecoveryCode');
      toggle.hidden = passkeyOnly && useRecovery;
    };
    showRecovery(twoFactor && recoveryFirst);
    toggle.addEventListener('click', () => {
      showRecovery(recovery.wrapper.hidden);
      (recovery.wrapper.hidden ? code.input : recovery.input).focus();
    });
    const passwordValue = () => (password.wrapper.hidden ? given : password.input.value);
    const firstField = () => (!password.wrapper.hidden ? password.input : recovery.wrapper.hidden ? code.input : recovery.input);
    const cancel = el('button', { type: 'button', class: 'secondary' }, t('stepUp.cancel'));
    // A passkey proves the second factor in place of a code (the password is still asked).
    const withPasskey = twoFactor && user.passkeys > 0 && passkeysSupported()
      ? el('button', { type: 'button', class: 'secondary', id: 'step-up-passkey' }, t('stepUp.usePasskey')) : null;
    if (withPasskey) {
      withPasskey.addEventListener('click', () => {
        clearFieldError(password);
        if (!passwordValue()) {
          showFieldError(password, t('stepUp.passwordMissing'));
          password.input.focus();
          return;
        }
        busy(withPasskey, async () => {
          let assertion;
          try {
            const { publicKey } = await api.stepUpPasskeyOptions();
            assertion = await usePasskey(publicKey);
          } catch (error) {
            showMessage(message, error.code ? describe(error) : passkeyProblem(error));
            return;
          }
          try {
            await api.stepUp(passwordValue(), undefined, undefined, assertion);
            close(true);
          } catch (error) {
            if (error.code === 'invalid_credentials') {
              password.wrapper.hidden = false;
              showFieldError(password, describe(error));
            } else {
              showMessage(message, describe(error));
            }
          }
        });
      });
    }
    const form = el('form', { method: 'dialog', novalidate: true },
      el('h2', { id: 'step-up-heading' }, t('stepUp.title')),
      el('p', {}, t(passkeyOnly ? 'stepUp.introPasskey' : given ? 'stepUp.introCode' : twoFactor ? 'stepUp.intro2fa' : 'stepUp.intro')),
      message, password.wrapper,
      twoFactor ? [code.wrapper, recovery.wrapper, toggle] : null,
      withPasskey ? el('p', {}, withPasskey) : null,
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
      if (!passwordValue()) {
        showFieldError(password, t('stepUp.passwordMissing'));
        password.input.focus();
        return;
      }
      const useRecovery = twoFactor && !recovery.wrapper.hidden;
      if (passkeyOnly && !useRecovery) {
        withPasskey.click();
        return;
      }
      busy(submit, async () => {
        try {
          await api.stepUp(passwordValue(), twoFactor && !useRecovery ? code.value() : undefined,
            useRecovery ? recovery.input.value : undefined);
          close(true);
        } catch (error) {
          const codeError = error.code === 'invalid_code' || error.code === 'second_factor_required';
          // The password brought from the form was wrong: ask for it here after all.
          if (error.code === 'invalid_credentials') password.wrapper.hidden = false;
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
    firstField().focus();
  });
}
