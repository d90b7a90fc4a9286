// Sign up, log in, and the second step of a login (app code, or a recovery code after a lost device).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t } from '../i18n.js';
import { el, field, codeForm, showFieldError, clearFieldError, formMessage, showMessage, busy, heading } from '../ui.js';
import { passkeyLoginButton, passkeyProblem, passkeySignIn } from '../passkey.js';

const FIELD_OF_ERROR = { invalid_email: 'email', email_taken: 'email', weak_password: 'password' };

function credentialsForm({ submitLabel, passwordAutocomplete, passwordHint, email: knownEmail, onSubmit, words = describe,
  emailAutocomplete = 'username' }) {
  const email = field(t('field.email'), { type: 'email', name: 'email', autocomplete: emailAutocomplete, required: true,
    value: knownEmail || undefined, 'data-autofocus': knownEmail ? undefined : true });
  const password = field(t('field.password'), { type: 'password', name: 'password', autocomplete: passwordAutocomplete,
    required: true, 'data-autofocus': knownEmail ? true : undefined }, passwordHint);
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = el('form', { novalidate: true }, message, email.wrapper, password.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [email, password].forEach(clearFieldError);
    message.hidden = true;
    if (!email.input.value.trim()) {
      showFieldError(email, t('field.email.missing'));
      email.input.focus();
      return;
    }
    if (!password.input.value) {
      showFieldError(password, t('field.password.missing'));
      password.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await onSubmit(email.input.value.trim(), password.input.value);
      } catch (error) {
        const target = { email, password }[FIELD_OF_ERROR[error.code]];
        if (target) {
          showFieldError(target, describe(error));
          target.input.focus();
        } else {
          showMessage(message, words(error));
          password.input.select();
        }
      }
    });
  });
  return form;
}

function noticeFrom(app) {
  const notice = app.notice;
  app.notice = null;
  return notice ? el('p', { class: 'notice', role: 'status' }, notice) : null;
}

export function signupScreen(main, app) {
  main.append(el('section', { class: 'card' },
    heading(t('signup.title')),
    el('p', {}, t('signup.intro', { product: app.config.productName })),
    credentialsForm({
      submitLabel: t('signup.submit'),
      passwordAutocomplete: 'new-password',
      passwordHint: t('signup.passwordHint', { min: app.config.password.minLength }),
      onSubmit: async (email, password) => {
        app.setSession(await api.signup(email, password));
        app.navigate('/welcome');
      },
    }),
    el('p', { class: 'switch' }, t('signup.haveAccount'), ' ', el('a', { href: '/login', 'data-link': true }, t('login.title')))));
}

export function loginScreen(main, app, params) {
  const notice = noticeFrom(app);
  // "?return=/2fa/setup": where an ended session was; app.afterLogin checks it against the app's routes.
  if (params.get('return')) app.returnTo = params.get('return');
  const forgot = el('a', { href: '/forgot-password', 'data-link': true }, t('login.forgot'));
  const client = app.authorization && app.authorization.client;
  // Without a password: a passkey (both factors), from its button or among the email field's suggestions.
  const passkey = passkeySignIn(app, (session) => {
    app.setSession(session);
    app.afterLogin();
  });
  main.append(el('section', { class: 'card' },
    heading(client ? t('login.titleFor', { client }) : t('login.title')),
    client ? el('p', {}, t('login.forClient', { client })) : null,
    notice,
    credentialsForm({
      submitLabel: t('login.submit'),
      passwordAutocomplete: 'current-password',
      emailAutocomplete: passkey ? 'username webauthn' : 'username',
      email: app.loginEmail,
      // Locked out after wrong passwords: the way that needs no password is one click away.
      words: (error) => (error.code === 'rate_limited'
        ? [describe(error), ' ', el('a', { href: '/forgot-password', 'data-link': true }, t('login.forgot'))]
        : describe(error)),
      onSubmit: async (email, password) => {
        if (passkey) passkey.stopAutofill();
        const session = await api.login(email, password, app.authorization ? app.authorization.id : undefined);
        app.setSession(session);
        if (session.state === 'pending_2fa') app.navigate('/login/2fa');
        else app.afterLogin();
      },
    }),
    passkey ? el('div', { class: 'passkey-sign-in-box' }, passkey.message, passkey.button) : null,
    el('p', {}, forgot),
    el('p', { class: 'switch' }, t('login.new'), ' ', el('a', { href: '/signup', 'data-link': true }, t('signup.title')))));
  app.loginEmail = null;
  // The address typed so far goes along to "Forgot password?" (runs before the app's own link handler).
  forgot.addEventListener('click', () => {
    const typed = main.querySelector('input[name="email"]');
    app.loginEmail = typed && typed.value.trim() ? typed.value.trim() : null;
  });
}

/**
 * The pending login has ended: back to the password step, with the email kept and the real cause in words
 * ({@code cause}: expired, too_many_codes, or other when this browser cannot tell).
 */
export function backToLogin(app, cause) {
  const email = app.session.pending ? app.session.pending.email : app.loginEmail;
  app.setSession({ state: 'anonymous', user: null });
  app.loginEmail = email;
  app.notice = t('login.ended.' + cause, { minutes: app.config.pendingLogin.minutes, tries: app.config.pendingLogin.maxFailures });
  app.navigate('/login', { replace: true });
}

/** Why the server no longer knows this login, as far as the browser can tell. */
export function endedCause(app) {
  if (app.pendingDeadline && Date.now() >= app.pendingDeadline - 1000) return 'expired';
  if (app.session.pending && app.session.pending.triesLeft <= 1) return 'too_many_codes';
  return 'other';
}

/** Shared by both second steps: a login the server has dropped goes back to the password step, with the reason. */
async function completeLogin(app, attempt) {
  try {
    const session = await attempt();
    app.setSession(session);
    app.signedInWithRecoveryCode = false;
    return session;
  } catch (error) {
    if (error.code === 'no_pending_login') {
      backToLogin(app, endedCause(app));
      return null;
    }
    if (error.code === 'invalid_code') {
      // A wrong code costs a try; the session says how many are left, or that the login was dropped.
      const lastTry = app.session.pending && app.session.pending.triesLeft <= 1;
      const session = await api.session().catch(() => null);
      if (session && session.state !== 'pending_2fa') {
        backToLogin(app, lastTry ? 'too_many_codes' : endedCause(app));
        return null;
      }
      if (session) app.setSession(session);
    }
    throw error;
  }
}

/**
 * The way to the support desk when both the app and the recovery codes are gone: the app's own request form,
 * or the external help desk when the server names one (TWOFA_SUPPORT_URL).
 */
function supportHint(app) {
  const url = app.config.support && app.config.support.url;
  const door = url
    ? el('a', { href: url, class: 'button secondary', rel: 'noopener noreferrer' }, t('askSupport.button'))
    : el('a', { href: '/login/support', class: 'button secondary', 'data-link': true }, t('askSupport.button'));
  return el('div', { class: 'support-door' }, el('p', { class: 'hint support' }, t('login.supportHint')), door);
}

/** Who is logging in, and the way out when it is not them. */
export function whoIsLoggingIn(app) {
  const email = app.session.pending ? app.session.pending.email : '';
  const startOver = el('button', { type: 'button', class: 'link-button' }, t('totp.startOver'));
  startOver.addEventListener('click', async () => {
    await api.logout().catch(() => null);
    app.setSession({ state: 'anonymous', user: null });
    app.loginEmail = null;
    app.navigate('/login', { replace: true });
  });
  return el('p', { class: 'who' }, t('totp.loggingInAs'), ' ', el('strong', {}, email), ' · ', startOver);
}

/**
 * The time left, quietly: the visible clock ticks every second but is not announced; screen readers hear the
 * minutes left once a minute. At zero the server is asked, and an ended login goes back to the password step.
 */
export function countdown(app) {
  const clock = el('span', { class: 'countdown-clock', 'aria-hidden': 'true' });
  const spoken = el('span', { class: 'visually-hidden', 'aria-live': 'polite' });
  const box = el('p', { class: 'countdown' }, el('span', { 'aria-hidden': 'true' }, t('totp.timeLeft')), ' ', clock, spoken);
  let lastMinute = null;
  const tick = async () => {
    const left = Math.max(0, Math.ceil((app.pendingDeadline - Date.now()) / 1000));
    clock.textContent = Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0');
    const minutes = Math.ceil(left / 60);
    if (minutes !== lastMinute && left > 0) {
      if (lastMinute !== null) spoken.textContent = t('totp.minutesLeft', { n: minutes });
      lastMinute = minutes;
    }
    if (left === 0) {
      clearInterval(timer);
      const session = await api.session().catch(() => null);
      if (session && session.state === 'pending_2fa') {
        app.setSession(session);
        timer = setInterval(tick, 1000);
      } else if (session) {
        backToLogin(app, 'expired');
      }
    }
  };
  let timer = setInterval(tick, 1000);
  app.onLeave(() => clearInterval(timer));
  // Keeps what a reload needs to say why the login ended (history.state survives a reload, web storage is not used).
  history.replaceState({ pendingLogin: { email: app.loginEmail, deadline: app.pendingDeadline } }, '', location.pathname);
  tick();
  return box;
}

/** "2 tries left" once few remain, refreshed after each wrong code. */
function triesWarning(app) {
  const box = el('p', { class: 'warning', role: 'status', hidden: true });
  const update = () => {
    const left = app.session.pending ? app.session.pending.triesLeft : null;
    box.hidden = left === null || left > 2;
    box.textContent = left === null ? '' : t('totp.triesLeft', { n: left });
  };
  update();
  return { box, update };
}

/** "Don't ask for a code on this browser for 30 days": none when the server offers no trusted browsers. */
function trustBox(app) {
  const days = app.config.trustedBrowserDays;
  if (!days) return { box: null, checked: () => false };
  const input = el('input', { type: 'checkbox', id: 'trust-browser', name: 'trust-browser' });
  const box = el('div', { class: 'trust-browser' },
    el('label', { class: 'tick', for: 'trust-browser' }, input, t('trust.checkbox', { days })),
    el('p', { class: 'hint' }, t('trust.hint')));
  return { box, checked: () => input.checked };
}

export function totpScreen(main, app) {
  const digits = app.config.totp.digits;
  const tries = triesWarning(app);
  const trust = trustBox(app);
  const form = codeForm({
    label: t('totp.codeLabel', { digits }),
    digits,
    submitLabel: t('totp.submit'),
    submitCode: async (code) => {
      try {
        if (await completeLogin(app, () => api.loginWithTotp(code, trust.checked()))) {
          app.afterLogin();
        }
      } finally {
        tries.update();
      }
    },
  });
  // With a passkey on the account, "Use a passkey" comes first and the code form waits behind a link.
  const codeBox = el('div', {}, el('p', {}, t('totp.intro', { digits, entry: app.entryName(app.session.pending && app.session.pending.email) })), form);
  const passkeyMessage = formMessage();
  const useCode = el('button', { type: 'button', class: 'link-button', hidden: true }, t('passkey.useCode'));
  useCode.addEventListener('click', () => {
    codeBox.hidden = false;
    useCode.hidden = true;
    const input = codeBox.querySelector('input');
    if (input) input.focus();
  });
  const passkey = passkeyLoginButton(() => {
    codeBox.hidden = true;
    useCode.hidden = false;
  }, (button, sign) => busy(button, async () => {
    let credential;
    try {
      credential = await sign();
    } catch (error) {
      showMessage(passkeyMessage, error.code ? describe(error) : passkeyProblem(error));
      return;
    }
    try {
      if (await completeLogin(app, () => api.loginWithPasskey(credential, trust.checked()))) {
        app.navigate('/account');
      }
    } catch (error) {
      showMessage(passkeyMessage, error.code === 'invalid_code' ? t('error.passkey_refused') : describe(error));
    } finally {
      tries.update();
    }
  }));
  main.append(el('section', { class: 'card' },
    heading(t('totp.title')),
    whoIsLoggingIn(app),
    countdown(app),
    tries.box,
    // Before the code: a full code submits itself.
    trust.box,
    passkeyMessage,
    passkey,
    codeBox,
    useCode,
    el('p', {}, el('a', { href: '/login/recovery', 'data-link': true }, t('totp.lost'))),
    supportHint(app)));
}

export function recoveryScreen(main, app) {
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('recovery.submit', { product: app.config.productName }));
  const code = field(t('recovery.codeLabel'), {
    name: 'recovery-code', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    required: true, maxlength: '24', 'data-autofocus': true,
  }, t('recovery.codeHint', { length: app.config.recoveryCodes.length }));
  const tries = triesWarning(app);
  const form = el('form', { novalidate: true }, message, code.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(code);
    if (!code.input.value.trim()) {
      showFieldError(code, t('recovery.missing'));
      return;
    }
    busy(submit, async () => {
      try {
        const session = await completeLogin(app, () => api.loginWithRecoveryCode(code.input.value));
        if (session) {
          // Account's amber box says how many are left and offers new codes at once.
          app.lostPhone = true;
          app.signedInWithRecoveryCode = true;
          app.afterLogin();
        }
      } catch (error) {
        showFieldError(code, describe(error));
        code.input.select();
      } finally {
        tries.update();
      }
    });
  });
  main.append(el('section', { class: 'card' },
    heading(t('recovery.title')),
    el('p', {}, t('recovery.intro')),
    whoIsLoggingIn(app),
    countdown(app),
    tries.box,
    form,
    el('p', {}, el('a', { href: '/login/2fa', 'data-link': true }, t('recovery.useApp'))),
    supportHint(app)));
}
