// Turning 2FA on: the welcome after sign-up, the key and QR code, then the recovery codes (shown once).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { el, codeForm, showMessage, heading, announce } from '../ui.js';

export function welcomeScreen(main, app) {
  main.append(el('section', { class: 'card' },
    heading('Welcome to ' + app.config.productName),
    el('p', {}, 'Your account is ready.'),
    el('p', {}, 'Protect it with two-factor authentication (2FA): besides your password, logging in will ask for a '
      + 'six-digit code from an authenticator app on your phone, so a stolen password alone is not enough.'),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', 'data-autofocus': true, onclick: () => app.navigate('/2fa/setup') }, 'Enable 2FA'),
      el('a', { href: '/account', 'data-link': true, class: 'secondary-link' }, 'Skip for now'))));
}

function entryName(app) {
  const account = app.config.accountName.replace('{email}', app.session.user ? app.session.user.email : 'your email');
  return account + ' / ' + app.config.issuer;
}

/** The key in groups of four, as people type it. */
function groupKey(secret) {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

function copyButton(label, text, status) {
  const button = el('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      status.textContent = 'Copied';
    } catch (e) {
      status.textContent = 'Copying is blocked here: select the text and copy it instead.';
    }
  });
  return button;
}

export function setupScreen(main, app, params) {
  const fromAccount = params.get('from') === 'account';
  return keyScreen(main, app, {
    title: fromAccount ? 'Enable 2FA' : 'Secure your account with 2FA',
    submitLabel: 'Enable 2FA',
    start: () => api.setupTotp(),
    confirm: async (code) => {
      const result = await api.enableTotp(code);
      app.setSession({ state: 'authenticated', user: result.user });
      app.recoveryCodes = { codes: result.recoveryCodes, from: fromAccount ? 'account' : 'signup' };
      // Replace the history entry: going back must not show the key again.
      app.navigate('/recovery-codes', { replace: true });
    },
  });
}

/** A new phone: the new app's key, confirmed with its code; the old app works until then. */
export function changeAuthenticatorScreen(main, app) {
  return keyScreen(main, app, {
    title: 'Change authenticator app',
    intro: 'Your current authenticator app keeps working until you confirm the new one here. Your recovery codes stay as they are.',
    submitLabel: 'Change authenticator app',
    start: () => api.changeTotpStart(),
    confirm: async (code) => {
      const result = await api.changeTotpConfirm(code);
      app.setSession({ state: 'authenticated', user: result.user });
      app.notice = 'Your authenticator app was changed. Other sessions were logged out.';
      app.navigate('/account', { replace: true });
    },
  });
}

async function keyScreen(main, app, { title, intro, submitLabel, start, confirm }) {
  const section = el('section', { class: 'card wide' }, heading(title));
  main.append(section);
  let key;
  try {
    key = await start();
  } catch (error) {
    if (error.code === 'already_enabled' || error.code === 'not_enabled' || error.code === 'step_up_required') {
      app.navigate('/account', { replace: true });
      return;
    }
    section.append(el('p', { class: 'form-message error', role: 'alert' }, describe(error)));
    return;
  }
  const copied = el('span', { class: 'status', role: 'status' });
  const form = codeForm({
    label: '6-digit code from the app',
    submitLabel,
    className: 'enable-form',
    submitCode: confirm,
    onError: (error, message) => {
      if (error.code !== 'no_pending_setup') return false;
      showMessage(message, 'This key has been replaced (2FA setup was started elsewhere). Reload the page for a new key.');
      return true;
    },
  });
  section.append(
    intro ? el('p', {}, intro) : null,
    el('ol', { class: 'steps' },
      el('li', {}, 'Install an authenticator app on your phone, such as Google Authenticator or Microsoft Authenticator.'),
      el('li', {}, 'In the app, add an account and scan this QR code, or type the key below.'),
      el('li', {}, 'The entry appears as “' + entryName(app) + '”. Enter the 6-digit code it shows, then press “' + submitLabel + '”.')),
    el('div', { class: 'key-box' },
      el('img', { src: key.qrCode, width: '240', height: '240', class: 'qr',
        alt: 'QR code for your authenticator app. If you cannot scan it, type the key shown next to it.' }),
      el('div', { class: 'key' },
        el('p', { id: 'key-label' }, 'Key (type it if you cannot scan):'),
        el('p', { class: 'secret', 'aria-labelledby': 'key-label', 'data-secret': key.secret }, groupKey(key.secret)),
        el('div', { class: 'inline-actions' }, copyButton('Copy key', () => key.secret, copied), copied))),
    form);
}

function downloadCodes(app, codes) {
  const date = new Date().toISOString().slice(0, 10);
  const text = [
    app.config.productName + ' recovery codes',
    'Account: ' + (app.session.user ? app.session.user.email : ''),
    'Generated: ' + date,
    '',
    'Each code logs you in once, with your email and password, if you lose your authentication device.',
    'Keep them somewhere safe. Generating new codes voids all of these.',
    '',
    ...codes,
    '',
  ].join('\n');
  const link = el('a', {
    href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })),
    download: app.config.productName + '-recovery-codes-' + date + '.txt',
  });
  // Clicked without being added to the page, so no empty link ever sits in the document.
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export function recoveryCodesScreen(main, app) {
  const saved = app.recoveryCodes;
  if (!saved) {
    main.append(el('section', { class: 'card' },
      heading('Recovery codes'),
      el('p', {}, 'For your security, recovery codes are shown only once. If you did not save them, generate new ones '
        + 'from your account page.'),
      el('a', { href: '/account', 'data-link': true, class: 'button primary' }, 'Go to Account')));
    return;
  }
  const copied = el('span', { class: 'status', role: 'status' });
  const codes = saved.codes;
  const finish = () => {
    app.recoveryCodes = null;
    announce('Recovery codes saved.');
    app.navigate('/account', { replace: true });
  };
  main.append(el('section', { class: 'card wide print-area' },
    heading('Save your recovery codes'),
    el('p', { class: 'no-print' }, 'If you lose your authentication device, each of these codes logs you in once. '
      + 'Save them now: they will not be shown again.'),
    el('p', { class: 'print-only' }, app.config.productName + ' recovery codes — ' + new Date().toISOString().slice(0, 10)),
    el('ul', { class: 'recovery-codes', 'aria-label': 'Recovery codes' }, codes.map((c) => el('li', {}, el('code', {}, c)))),
    el('div', { class: 'inline-actions no-print' },
      el('button', { type: 'button', class: 'secondary', onclick: () => downloadCodes(app, codes) }, 'Download'),
      copyButton('Copy', () => codes.join('\n'), copied),
      el('button', { type: 'button', class: 'secondary', onclick: () => window.print() }, 'Print'),
      copied),
    el('div', { class: 'actions no-print' },
      el('button', { type: 'button', class: 'primary', onclick: finish, 'data-autofocus': true },
        saved.from === 'signup' ? 'Code saved, login' : 'Done'))));
}
