// The app shell: settings, language, session state, the router (History API, so back and reload keep the
// user's place) and the header.
import { api, onStepUpRequired, onUnauthenticated, onTwoFactorRequired } from './api.js';
import { confirmIdentity } from './stepup.js';
import { t, lang, useLanguage, rememberLanguage, translateShell } from './i18n.js';
import { signupScreen, loginScreen, totpScreen, recoveryScreen } from './screens/login.js';
import { welcomeScreen, setupScreen, changeAuthenticatorScreen, recoveryCodesScreen } from './screens/enroll.js';
import { accountScreen } from './screens/account.js';
import { supportScreen } from './screens/support.js';
import { verifyEmailScreen } from './screens/verify.js';
import { forgotPasswordScreen, resetPasswordScreen, secureAccountScreen } from './screens/reset.js';
import { askSupportScreen } from './screens/ask-support.js';
import { cancelSupportRequestScreen } from './screens/support-cancel.js';
import { consentScreen } from './screens/consent.js';

export const app = {
  // GET /api/config: product and entry names, code digits, login limits, password length, recovery codes.
  config: null,
  session: { state: 'anonymous', user: null },
  // When the pending login ends, by this browser's clock (the server's secondsLeft, counted from its answer).
  pendingDeadline: null,
  // The email of the login in progress, kept so a login sent back to the password step need not retype it.
  loginEmail: null,
  // Shown once and kept only in memory: a reload never brings secrets back.
  recoveryCodes: null,
  // What "Ask support to turn off 2FA" had typed when the login ran out, with its account's email (memory only).
  supportDraft: null,
  // This session logged in with a recovery code (its phone may be lost): memory only, like the codes.
  signedInWithRecoveryCode: false,
  // Account opens the "Generate new recovery codes" panel once (a lost phone was just replaced).
  offerNewCodes: false,
  // Where to go once logged in: a screen the session ended on (checked by safeReturn, memory only).
  returnTo: null,
  // The account must turn on a required 2FA before anything else (a call answered two_factor_required).
  mustEnrol: false,
  // A one-shot message for the next screen ("You have 6 recovery codes left").
  notice: null,
  // Set by a screen that must not be left without asking (unsaved recovery codes); returns true to stay.
  holdsUser: null,
  cleanups: [],
  // An application's login in progress (OpenID Connect): { id, client, loginRequired }, memory only; once logged
  // in, the browser goes back through /authorize/resume, which sends it on to the application.
  authorization: null,

  navigate(path, { replace = false, force = false } = {}) {
    if (!force && app.holdsUser && app.holdsUser()) return Promise.resolve();
    if (replace) {
      history.replaceState({}, '', path);
    } else {
      history.pushState({}, '', path);
    }
    return render();
  },

  /** Runs {@code fn} when the current screen is left (timers). */
  onLeave(fn) {
    app.cleanups.push(fn);
  },

  async refreshSession() {
    app.setSession(await api.session());
    return app.session;
  },

  setSession(session) {
    app.session = session;
    if (session.pending) {
      app.pendingDeadline = Date.now() + session.pending.secondsLeft * 1000;
      app.loginEmail = session.pending.email;
    }
    updateHeader();
  },

  /** "pafin / pafin Inc.": how the authenticator app lists the account. */
  entryName(email) {
    return app.config.totp.accountName.replace('{email}', email || '') + ' / ' + app.config.totp.issuer;
  },

  rerender: () => render(),

  /** After the last step of a login: the screen an ended session was on, else Account. */
  afterLogin() {
    const back = safeReturn(app.returnTo);
    app.returnTo = null;
    return app.navigate(back || '/account');
  },
};

const ANONYMOUS = 'anonymous';
const PENDING = 'pending_2fa';
const AUTHENTICATED = 'authenticated';

// Each route names the login state it needs; anything else is sent where that state belongs.
const routes = {
  '/signup': { screen: signupScreen, states: [ANONYMOUS, PENDING] },
  '/login': { screen: loginScreen, states: [ANONYMOUS, PENDING] },
  '/login/2fa': { screen: totpScreen, states: [PENDING] },
  '/login/recovery': { screen: recoveryScreen, states: [PENDING] },
  '/welcome': { screen: welcomeScreen, states: [AUTHENTICATED] },
  '/2fa/setup': { screen: setupScreen, states: [AUTHENTICATED] },
  '/2fa/change': { screen: changeAuthenticatorScreen, states: [AUTHENTICATED] },
  '/recovery-codes': { screen: recoveryCodesScreen, states: [AUTHENTICATED] },
  '/account': { screen: accountScreen, states: [AUTHENTICATED] },
  '/support': { screen: supportScreen, states: [AUTHENTICATED] },
  '/verify-email': { screen: verifyEmailScreen, states: [ANONYMOUS, PENDING, AUTHENTICATED] },
  '/forgot-password': { screen: forgotPasswordScreen, states: [ANONYMOUS, PENDING] },
  '/reset-password': { screen: resetPasswordScreen, states: [ANONYMOUS, PENDING, AUTHENTICATED] },
  '/secure-account': { screen: secureAccountScreen, states: [ANONYMOUS, PENDING, AUTHENTICATED] },
  '/login/support': { screen: askSupportScreen, states: [PENDING] },
  '/support/cancel': { screen: cancelSupportRequestScreen, states: [ANONYMOUS, PENDING, AUTHENTICATED] },
  '/consent': { screen: consentScreen, states: [AUTHENTICATED] },
};

// The screens an account that must turn on a required 2FA may use (TWOFA_REQUIRE_2FA).
const ENROLMENT = new Set(['/2fa/setup', '/recovery-codes']);

/** A call answered two_factor_required: the set-up, then back to where the user was going. */
function mustEnrol() {
  if (app.mustEnrol && ENROLMENT.has(location.pathname)) return;
  app.mustEnrol = true;
  app.returnTo = app.returnTo || safeReturn(location.pathname + location.search);
  app.navigate('/2fa/setup', { replace: true, force: true });
}

// Screens that cannot be returned to: their content lived only in memory.
const NO_RETURN = new Set(['/recovery-codes']);

/**
 * {@code value} when it is a path of this app that a logged-in user can open (query kept), else null: never
 * another origin, never a screen that only makes sense before logging in.
 */
export function safeReturn(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return null;
  let url;
  try {
    url = new URL(value, location.origin);
  } catch (e) {
    return null;
  }
  const route = routes[url.pathname];
  if (url.origin !== location.origin || !route || NO_RETURN.has(url.pathname)) return null;
  return route.states.includes(AUTHENTICATED) && !route.states.includes(ANONYMOUS) ? url.pathname + url.search : null;
}

/** Any call answered 401 unauthenticated: the session ended. Log in again, email kept, then back here. */
function sessionEnded() {
  if (app.session.state !== AUTHENTICATED) return;
  const email = app.session.user ? app.session.user.email : null;
  const back = safeReturn(location.pathname + location.search);
  document.querySelectorAll('dialog[open]').forEach((dialog) => dialog.close());
  app.recoveryCodes = null;
  app.signedInWithRecoveryCode = false;
  app.setSession({ state: ANONYMOUS, user: null });
  app.loginEmail = email;
  app.notice = t('session.ended');
  app.navigate('/login' + (back ? '?return=' + encodeURIComponent(back) : ''), { replace: true, force: true });
}

function home() {
  if (app.session.state === AUTHENTICATED) return '/account';
  if (app.session.state === PENDING) return '/login/2fa';
  return '/login';
}

async function render() {
  const path = location.pathname;
  const route = routes[path];
  const reLogin = path === '/login' && app.authorization && app.authorization.loginRequired;
  // A required 2FA, or acr_values=2 for a user without 2FA: the set-up first; the application's request goes on
  // once it is (see mustEnrol and startAuthorization).
  const enrolling = (app.mustEnrol || (app.authorization && app.authorization.enrolling)) && ENROLMENT.has(path);
  if (app.authorization && app.session.state === AUTHENTICATED && !reLogin && !enrolling) {
    location.assign('/authorize/resume?authorization=' + encodeURIComponent(app.authorization.id));
    return;
  }
  if (!route || !(route.states.includes(app.session.state) || reLogin)) {
    // A reload of a logged-in screen after the session ended: Log in, then back to it.
    const back = app.session.state === ANONYMOUS ? safeReturn(path + location.search) : null;
    history.replaceState({}, '', back ? '/login?return=' + encodeURIComponent(back) : home());
    return render();
  }
  app.cleanups.splice(0).forEach((fn) => fn());
  app.holdsUser = null;
  closeMenu();
  const main = document.getElementById('main');
  main.replaceChildren();
  await route.screen(main, app, new URLSearchParams(location.search));
  const title = main.querySelector('h1');
  document.title = (title ? title.textContent + ' – ' : '') + app.config.productName;
  const focusTarget = main.querySelector('[data-autofocus]') || title;
  if (focusTarget) focusTarget.focus();
}

function updateHeader() {
  document.getElementById('account-menu').hidden = app.session.state !== AUTHENTICATED;
  document.getElementById('support-menu-item').hidden = !(app.session.user && app.session.user.support);
}

const menuButton = () => document.getElementById('account-menu-button');
const menuList = () => document.getElementById('account-menu-list');

function openMenu() {
  menuList().hidden = false;
  menuButton().setAttribute('aria-expanded', 'true');
  menuList().querySelector('[role="menuitem"]').focus();
}

function closeMenu() {
  menuList().hidden = true;
  menuButton().setAttribute('aria-expanded', 'false');
}

async function switchLanguage(language) {
  if (language === lang()) return;
  rememberLanguage(language);
  await useLanguage(language);
  translateShell();
  // The same screen again, in the new words (what is kept in memory, like unsaved codes, stays).
  await render();
}

function wireHeader() {
  menuButton().addEventListener('click', () => (menuList().hidden ? openMenu() : closeMenu()));
  menuList().addEventListener('keydown', (event) => {
    const items = [...menuList().querySelectorAll('[role="menuitem"]')].filter((item) => !item.closest('[hidden]'));
    const index = items.indexOf(document.activeElement);
    if (event.key === 'Escape') {
      closeMenu();
      menuButton().focus();
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      items[(index + step + items.length) % items.length].focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!document.getElementById('account-menu').contains(event.target)) closeMenu();
  });
  document.getElementById('logout-button').addEventListener('click', async () => {
    closeMenu();
    if (app.holdsUser && app.holdsUser()) return;
    try {
      await api.logout();
    } finally {
      app.recoveryCodes = null;
      app.holdsUser = null;
      app.signedInWithRecoveryCode = false;
      app.returnTo = null;
      app.setSession({ state: ANONYMOUS, user: null });
      app.notice = t('logout.done');
      app.navigate('/login');
    }
  });
  document.querySelectorAll('[data-lang]').forEach((button) =>
    button.addEventListener('click', () => switchLanguage(button.dataset.lang)));
  // Links marked data-link stay inside the app.
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-link]');
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      app.navigate(link.getAttribute('href'));
    }
  });
  window.addEventListener('popstate', () => {
    if (app.holdsUser && app.holdsUser()) {
      // Stay: put the screen's address back.
      history.pushState({}, '', '/recovery-codes');
      return;
    }
    render();
  });
  window.addEventListener('beforeunload', (event) => {
    if (app.holdsUser) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
}

/**
 * A reload on the code screen after the server dropped the login: back to the password step with the email
 * kept (history.state survives a reload; nothing goes to web storage) and why, as far as this browser knows.
 */
function resumeEndedLogin() {
  const kept = history.state && history.state.pendingLogin;
  if (!kept || app.session.state !== ANONYMOUS || !location.pathname.startsWith('/login/')) return;
  app.loginEmail = kept.email;
  app.notice = Date.now() >= kept.deadline
    ? t('login.ended.expired', { minutes: app.config.pendingLogin.minutes })
    : t('login.ended.other');
}

/**
 * /login?authorization=ID: an application sent the user here to log in; its name titles the login screen.
 * /2fa/setup?authorization=ID: it asked for two factors of a user without 2FA, who turns it on first.
 */
async function startAuthorization() {
  const id = new URLSearchParams(location.search).get('authorization');
  if (!id || !['/login', '/2fa/setup'].includes(location.pathname)) return;
  // Sent to the set-up by the authorization endpoint: a required 2FA comes before the application.
  if (location.pathname === '/2fa/setup') app.mustEnrol = true;
  try {
    const found = await api.authorization(id);
    app.authorization = { id, client: found.clientName, loginRequired: found.loginRequired,
      enrolling: location.pathname === '/2fa/setup' };
  } catch (e) {
    app.authorization = null;
  }
}

async function start() {
  const [config] = await Promise.all([api.config(), useLanguage(document.documentElement.lang)]);
  app.config = config;
  translateShell();
  wireHeader();
  // The password form's current password is the password part of the proof; a session that logged in with a
  // recovery code is asked for one first (its phone may be gone).
  onUnauthenticated(sessionEnded);
  onTwoFactorRequired(mustEnrol);
  onStepUpRequired(({ path, body }) => confirmIdentity(app.session.user, app.config.totp.digits, {
    password: path === '/api/account/password' ? body.currentPassword : undefined,
    recoveryFirst: app.signedInWithRecoveryCode,
  }));
  try {
    await app.refreshSession();
  } catch (e) {
    app.setSession({ state: ANONYMOUS, user: null });
  }
  resumeEndedLogin();
  await startAuthorization();
  await render();
}

start();
