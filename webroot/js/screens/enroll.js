// Turning 2FA on: the welcome after sign-up, the key and QR code, then the recovery codes (shown once).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDate } from '../i18n.js';
import { el, codeForm, showMessage, heading, announce } from '../ui.js';

export function welcomeScreen(main, app) {
  // Back from the recovery codes after enabling: the welcome's "Enable 2FA" is done, so Account instead.
  if (app.session.user && app.session.user.twoFactorEnabled) {
    app.navigate('/account', { replace: true });
    return;
  }
  main.append(el('section', { class: 'card' },
    heading(t('welcome.title', { product: app.config.productName })),
    el('p', {}, t('welcome.ready')),
    el('p', {}, t('welcome.explain', { digits: app.config.totp.digits })),
    el('div', { class: 'actions' },
      el('button', { type: 'button', class: 'primary', 'data-autofocus': true, onclick: () => app.navigate('/2fa/setup') },
        t('twofa.enable')),
      el('a', { href: '/account', 'data-link': true, class: 'secondary-link' }, t('welcome.skip')))));
}

/** The key in groups of four, as people type it. */
function groupKey(secret) {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/** A recovery code in two groups of five ("c6ubu r3j93"); the server ignores the space. */
export function groupCode(code) {
  const half = Math.ceil(code.length / 2);
  return code.slice(0, half) + ' ' + code.slice(half);
}

function copyButton(label, text, status, onCopied = () => {}) {
  const button = el('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text());
      status.textContent = t('copy.done');
      onCopied();
    } catch (e) {
      status.textContent = t('copy.blocked');
    }
  });
  return button;
}

// A phone cannot scan its own screen: there the link that opens the authenticator app comes first.
const PHONE = '(max-width: 40rem), (pointer: coarse)';

export function setupScreen(main, app, params) {
  const fromAccount = params.get('from') === 'account';
  if (app.mustEnrol) main.append(el('p', { class: 'warning attention', role: 'status' }, t('required.held')));
  return keyScreen(main, app, {
    title: t(fromAccount ? 'twofa.enable' : 'setup.title'),
    submitLabel: t('twofa.enable'),
    start: () => api.setupTotp(),
    confirm: async (code) => {
      const result = await api.enableTotp(code);
      app.setSession({ state: 'authenticated', user: result.user });
      app.recoveryCodes = { codes: result.recoveryCodes, from: fromAccount ? 'account' : 'signup', enabled: true, saved: false };
      // Replace the history entry: going back must not show the key again.
      app.navigate('/recovery-codes', { replace: true });
    },
  });
}

/** A new phone: the new app's key, confirmed with its code; the old app works until then. */
export function changeAuthenticatorScreen(main, app) {
  return keyScreen(main, app, {
    title: t('twofa.change'),
    intro: t('twofa.change.intro'),
    submitLabel: t('twofa.change'),
    start: () => api.changeTotpStart(),
    confirm: async (code) => {
      const result = await api.changeTotpConfirm(code);
      app.setSession({ state: 'authenticated', user: result.user });
      app.notice = t('twofa.change.done');
      // The lost-phone path: a recovery code was spent to get here, so a new set is offered at once.
      app.offerNewCodes = app.signedInWithRecoveryCode;
      app.signedInWithRecoveryCode = false;
      app.navigate('/account', { replace: true });
    },
  });
}

/** The key of a new authenticator app (QR, typed key, or the phone's own link), then its first code. */
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
  const digits = app.config.totp.digits;
  const entry = app.entryName(app.session.user && app.session.user.email);
  const copied = el('span', { class: 'status', role: 'status' });
  const form = codeForm({
    label: t('setup.codeLabel', { digits }),
    digits,
    submitLabel,
    className: 'enable-form',
    // The screen is long: focus stays on the heading, so a screen reader starts at the top.
    autofocus: false,
    submitCode: confirm,
    onError: (error, message) => {
      if (error.code !== 'no_pending_setup') return false;
      showMessage(message, t('setup.replaced'));
      return true;
    },
  });
  const phoneLink = el('p', { class: 'phone-link' },
    el('a', { href: key.otpauthUri, class: 'button primary' }, t('setup.addOnPhone')));
  const keyBox = el('div', { class: 'key' },
    el('p', { id: 'key-label' }, t('setup.keyLabel')),
    el('p', { class: 'secret', 'aria-labelledby': 'key-label', 'data-secret': key.secret }, groupKey(key.secret)),
    el('p', { class: 'hint' }, t('setup.keyAlphabet')),
    el('div', { class: 'inline-actions' }, copyButton(t('setup.copyKey'), () => key.secret, copied), copied));
  const qr = el('img', { src: key.qrCode, width: '240', height: '240', class: 'qr', alt: t('setup.qrAlt') });
  const methods = el('div', { class: 'key-box' });
  const phone = matchMedia(PHONE);
  const arrange = () => {
    if (phone.matches) {
      methods.replaceChildren(phoneLink, keyBox, el('details', { class: 'qr-details' },
        el('summary', {}, t('setup.showQr')), qr));
    } else {
      methods.replaceChildren(qr, keyBox);
    }
    steps.replaceChildren(
      el('li', {}, t('setup.step.install')),
      el('li', {}, t(phone.matches ? 'setup.step.addPhone' : 'setup.step.add')),
      el('li', {}, t('setup.step.enter', { entry, digits })));
  };
  const steps = el('ol', { class: 'steps' });
  phone.addEventListener('change', arrange);
  app.onLeave(() => phone.removeEventListener('change', arrange));
  arrange();
  section.append(...(intro ? [el('p', {}, intro)] : []), steps, methods, form);
}

function downloadCodes(app, codes) {
  const date = new Date().toISOString().slice(0, 10);
  const text = [
    t('codes.file.title', { product: app.config.productName }),
    t('codes.file.account', { email: app.session.user ? app.session.user.email : '' }),
    t('codes.file.generated', { date }),
    '',
    t('codes.file.use'),
    t('codes.file.keep'),
    '',
    ...codes,
    '',
  ].join('\n');
  const link = el('a', {
    href: URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' })),
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
      heading(t('codes.gone.title')),
      el('p', {}, t('codes.gone.text')),
      el('a', { href: '/account', 'data-link': true, class: 'button primary' }, t('codes.gone.account'))));
    return;
  }
  const copied = el('span', { class: 'status', role: 'status' });
  const codes = saved.codes.map(groupCode);
  const finishLabel = saved.from === 'signup' ? t('codes.savedLogin') : t('codes.done');
  const finish = el('button', { type: 'button', class: 'primary full', disabled: !saved.saved }, finishLabel);
  const tick = el('input', { type: 'checkbox', id: 'codes-saved', checked: saved.saved });
  const markSaved = () => {
    saved.saved = true;
    tick.checked = true;
    finish.disabled = false;
    app.holdsUser = null;
  };
  tick.addEventListener('change', () => {
    saved.saved = tick.checked;
    finish.disabled = !tick.checked;
    app.holdsUser = tick.checked ? null : holds;
  });
  // Leaving with unsaved codes asks first (the codes are never shown again).
  const holds = () => !window.confirm(t('codes.leave'));
  if (!saved.saved) app.holdsUser = holds;
  finish.addEventListener('click', () => {
    app.recoveryCodes = null;
    app.holdsUser = null;
    announce(t('codes.savedAnnounce'));
    if (saved.enabled) {
      app.notice = saved.notice || t('twofa.onNotice', { entry: app.entryName(app.session.user && app.session.user.email) });
    }
    // A required 2FA set up on the way somewhere (an application's login, a screen): on to it.
    if (app.mustEnrol) {
      app.mustEnrol = false;
      app.afterLogin();
      return;
    }
    app.navigate('/account', { replace: true });
  });
  main.append(el('section', { class: 'card wide print-area' },
    heading(t('codes.title')),
    el('p', { class: 'no-print' }, t('codes.intro', { n: codes.length })),
    el('p', { class: 'print-only' }, t('codes.print.title', { product: app.config.productName, date: formatDate(new Date()) })),
    el('p', { class: 'print-only' }, t('codes.file.account', { email: app.session.user ? app.session.user.email : '' })),
    el('p', { class: 'print-only' }, t('codes.file.use')),
    el('ul', { class: 'recovery-codes', 'aria-label': t('codes.listLabel') }, codes.map((c) => el('li', {}, el('code', {}, c)))),
    el('div', { class: 'inline-actions no-print' },
      el('button', { type: 'button', class: 'secondary', onclick: () => { downloadCodes(app, codes); markSaved(); } }, t('codes.download')),
      copyButton(t('codes.copy'), () => codes.join('\n'), copied, markSaved),
      el('button', { type: 'button', class: 'secondary', onclick: () => { window.print(); markSaved(); } }, t('codes.print')),
      copied),
    el('p', { class: 'no-print tick' }, tick, ' ', el('label', { for: 'codes-saved' }, t('codes.tick'))),
    el('p', { class: 'hint no-print', id: 'finish-hint' }, t('codes.finishHint')),
    el('div', { class: 'actions no-print' }, finish)));
  finish.setAttribute('aria-describedby', 'finish-hint');
}
