// The app shell: session state, the router (History API, so back and reload keep the user's place) and the header.
import { api, onStepUpRequired } from './api.js';
import { confirmIdentity } from './stepup.js';
import { signupScreen, loginScreen, totpScreen, recoveryScreen } from './screens/login.js';
import { welcomeScreen, setupScreen, changeAuthenticatorScreen, recoveryCodesScreen } from './screens/enroll.js';
import { accountScreen } from './screens/account.js';
import { supportScreen } from './screens/support.js';

const meta = (name) => document.querySelector('meta[name="' + name + '"]').content;

export const app = {
  config: {
    productName: meta('product-name'),
    issuer: meta('totp-issuer'),
    accountName: meta('totp-account-name'),
  },
  session: { state: 'anonymous', user: null },
  // Shown once and kept only in memory: a reload never brings secrets back.
  recoveryCodes: null,
  // A one-shot message for the next screen ("You have 6 recovery codes left").
  notice: null,

  navigate(path, { replace = false } = {}) {
    if (replace) {
      history.replaceState({}, '', path);
    } else {
      history.pushState({}, '', path);
    }
    return render();
  },

  async refreshSession() {
    app.session = await api.session();
    updateHeader();
    return app.session;
  },

  setSession(session) {
    app.session = session;
    updateHeader();
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
};

function home() {
  if (app.session.state === AUTHENTICATED) return '/account';
  if (app.session.state === PENDING) return '/login/2fa';
  return '/login';
}

async function render() {
  const path = location.pathname;
  const route = routes[path];
  if (!route || !route.states.includes(app.session.state)) {
    history.replaceState({}, '', home());
    return render();
  }
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
    try {
      await api.logout();
    } finally {
      app.recoveryCodes = null;
      app.setSession({ state: ANONYMOUS, user: null });
      app.notice = 'You have been logged out.';
      app.navigate('/login');
    }
  });
  // Links marked data-link stay inside the app.
  document.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-link]');
    if (link && !event.ctrlKey && !event.metaKey && !event.shiftKey && event.button === 0) {
      event.preventDefault();
      app.navigate(link.getAttribute('href'));
    }
  });
  window.addEventListener('popstate', () => render());
}

async function start() {
  wireHeader();
  onStepUpRequired(() => confirmIdentity(app.session.user));
  try {
    await app.refreshSession();
  } catch (e) {
    app.setSession({ state: ANONYMOUS, user: null });
  }
  await render();
}

start();
