// Account › Security › Passkeys: the list (name, added, last used) with Rename and Remove, and "Add a passkey".
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDate } from '../i18n.js';
import { el, field, formMessage, showMessage, hideMessage, busy, showFieldError, clearFieldError } from '../ui.js';
import { createPasskey, passkeysSupported, passkeyProblem } from '../passkey.js';

export function passkeysSection(app, user) {
  const list = el('ul', { class: 'passkeys', 'aria-label': t('passkeys.label') });
  const message = formMessage();
  const add = el('button', { type: 'button', class: 'secondary', id: 'passkey-add' }, t('passkeys.add'));
  let current = user;
  const show = (passkeys) => {
    list.replaceChildren(...passkeys.map((passkey) => item(passkey)));
    list.hidden = passkeys.length === 0;
    empty.hidden = passkeys.length > 0;
  };
  const empty = el('p', { class: 'muted' }, t('passkeys.none'));
  const item = (passkey) => {
    const name = el('span', { class: 'event-type passkey-name' }, passkey.name);
    const used = passkey.lastUsedAt ? t('passkeys.lastUsed', { date: formatDate(passkey.lastUsedAt) }) : t('passkeys.neverUsed');
    const rename = el('button', { type: 'button', class: 'secondary small',
      'aria-label': t('passkeys.renameOne', { name: passkey.name }) }, t('passkeys.rename'));
    const remove = el('button', { type: 'button', class: 'secondary small',
      'aria-label': t('passkeys.removeOne', { name: passkey.name }) }, t('passkeys.remove'));
    const row = el('li', { class: 'passkey' },
      el('div', { class: 'event-main' }, name),
      el('div', { class: 'event-meta' }, t('passkeys.added', { date: formatDate(passkey.createdAt) }), ' · ', used),
      el('div', { class: 'actions' }, rename, ' ', remove));
    rename.addEventListener('click', () => row.append(renameForm(passkey, row)));
    remove.addEventListener('click', () => {
      // The last second factor of an account without an authenticator app: 2FA goes off with it.
      const last = !current.authenticatorApp && list.children.length === 1;
      if (last && !window.confirm(t('passkeys.removeLast'))) return;
      busy(remove, async () => {
        try {
          const result = await api.removePasskey(passkey.id);
          show(result.passkeys);
          current = await api.account();
          app.setSession({ state: 'authenticated', user: current });
          if (!current.twoFactorEnabled) {
            // 2FA went off with it: the whole page says so.
            app.notice = t('passkeys.removed');
            app.navigate('/account', { replace: true });
            return;
          }
          showMessage(message, t('passkeys.removed'), 'success');
        } catch (error) {
          showMessage(message, describe(error));
        }
      });
    });
    return row;
  };
  const renameForm = (passkey, row) => {
    const existing = row.querySelector('form');
    if (existing) return existing;
    const input = field(t('passkeys.name'), { type: 'text', value: passkey.name, maxlength: 64, required: true });
    const save = el('button', { type: 'submit', class: 'primary small' }, t('passkeys.save'));
    const form = el('form', { class: 'panel', novalidate: true }, input.wrapper, save);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      clearFieldError(input);
      if (!input.input.value.trim()) {
        showFieldError(input, t('passkeys.nameMissing'));
        return;
      }
      busy(save, async () => {
        try {
          show((await api.renamePasskey(passkey.id, input.input.value.trim())).passkeys);
          showMessage(message, t('passkeys.renamed'), 'success');
        } catch (error) {
          showFieldError(input, describe(error));
        }
      });
    });
    setTimeout(() => input.input.focus());
    return form;
  };
  add.addEventListener('click', () => {
    hideMessage(message);
    busy(add, async () => {
      try {
        const { publicKey } = await api.passkeyOptions();
        let credential;
        try {
          credential = await createPasskey(publicKey);
        } catch (error) {
          showMessage(message, passkeyProblem(error));
          return;
        }
        const result = await api.addPasskey(credential);
        show(result.passkeys);
        if (result.recoveryCodes) {
          app.recoveryCodes = { codes: result.recoveryCodes, from: 'account', enabled: true, saved: false,
            notice: t('passkeys.onNotice') };
          app.navigate('/recovery-codes');
          return;
        }
        current = result.user;
        showMessage(message, t('passkeys.addedNotice'), 'success');
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  api.passkeys().then((result) => show(result.passkeys)).catch((error) => showMessage(message, describe(error)));
  const supported = passkeysSupported();
  add.hidden = !supported;
  return el('section', { class: 'card', 'aria-labelledby': 'passkeys-heading', id: 'passkeys' },
    el('h2', { id: 'passkeys-heading' }, t('passkeys.title')),
    el('p', { class: 'muted' }, t('passkeys.intro')),
    supported ? null : el('p', { class: 'warning' }, t('passkeys.unsupported')),
    message, empty, list, add);
}
