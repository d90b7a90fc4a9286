// The Account page: 2FA status and recovery codes, password change, and the Activity list.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { describeEvent, describeUserAgent, formatTime } from '../activity.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, hideMessage, busy, heading } from '../ui.js';

export async function accountScreen(main, app) {
  let user;
  try {
    user = await api.account();
  } catch (error) {
    if (error.code === 'unauthenticated') {
      app.setSession({ state: 'anonymous', user: null });
      app.notice = 'Your session has ended. Log in again.';
      app.navigate('/login', { replace: true });
      return;
    }
    main.append(el('p', { class: 'form-message error', role: 'alert' }, describe(error)));
    return;
  }
  app.setSession({ state: 'authenticated', user });
  const notice = app.notice;
  app.notice = null;
  // After a login with a recovery code, the likely story is a lost or new phone.
  const lostPhone = app.lostPhone && user.twoFactorEnabled;
  app.lostPhone = false;
  main.append(el('div', { class: 'page' },
    heading('Account'),
    notice ? el('p', { class: 'notice', role: 'status' }, notice) : null,
    lostPhone ? el('p', { class: 'notice' }, 'Lost your phone? ',
      el('a', { href: '/2fa/change', 'data-link': true }, 'Set up a new authenticator app')) : null,
    el('p', { class: 'muted' }, user.email, ' · member since ', new Date(user.createdAt).toLocaleDateString()),
    securitySection(app, user),
    passwordSection(),
    sessionsSection(),
    activitySection()));
}

/** A row of a settings list: its name, and its value (text or an element). */
export function settingRow(name, value) {
  return el('div', { class: 'setting' }, el('dt', {}, name), el('dd', {}, value));
}

/** The "2FA security" row, On or Off. */
export function twoFactorRow(user) {
  const on = user.twoFactorEnabled;
  return settingRow('2FA security', el('span', { class: on ? 'badge on' : 'badge off' }, on ? 'On' : 'Off'));
}

export function recoveryCodesRow(user) {
  return settingRow('Recovery codes', user.recoveryCodesRemaining + ' of 8 left');
}

function securitySection(app, user) {
  const rows = el('dl', { class: 'settings' }, twoFactorRow(user));
  const section = el('section', { class: 'card', 'aria-labelledby': 'security-heading' },
    el('h2', { id: 'security-heading' }, 'Security'), rows);
  if (!user.twoFactorEnabled) {
    section.append(
      el('p', {}, 'Turn on two-factor authentication so that a password alone cannot open your account.'),
      el('button', { type: 'button', class: 'primary', onclick: () => app.navigate('/2fa/setup?from=account') }, 'Enable 2FA'));
    return section;
  }
  rows.append(authenticatorRow(app, user), recoveryCodesRow(user));
  const change = el('button', { type: 'button', class: 'secondary', onclick: () => app.navigate('/2fa/change') },
    'Change authenticator app');
  const panel = regeneratePanel(app);
  const open = el('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': 'regenerate-panel' },
    'Generate new recovery codes');
  open.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    open.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) panel.querySelector('button').focus();
  });
  section.append(change, ' ', open, panel);
  return section;
}

/** "Authenticator app · pafin / pafin Inc. · added 2 Dec 2026": the entry the user's app shows. */
function authenticatorRow(app, user) {
  const entry = app.config.accountName.replace('{email}', user.email) + ' / ' + app.config.issuer;
  const added = user.twoFactorEnabledAt ? ' · added ' + new Date(user.twoFactorEnabledAt).toLocaleDateString() : '';
  return settingRow('Authenticator app', entry + added);
}

function regeneratePanel(app) {
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Generate new codes');
  const form = el('form', { id: 'regenerate-panel', class: 'panel', novalidate: true, hidden: true },
    el('p', { class: 'warning' }, 'Your current recovery codes will stop working as soon as new ones are generated, '
      + 'and your other sessions will be logged out.'),
    message, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        const result = await api.regenerateRecoveryCodes();
        app.recoveryCodes = { codes: result.recoveryCodes, from: 'account' };
        app.navigate('/recovery-codes');
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  return form;
}

function passwordSection() {
  const current = field('Current password', { type: 'password', autocomplete: 'current-password', required: true });
  const next = field('New password', { type: 'password', autocomplete: 'new-password', required: true },
    'At least 8 characters. Other sessions will be logged out.');
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Change password');
  const form = el('form', { novalidate: true }, message, current.wrapper, next.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [current, next].forEach(clearFieldError);
    hideMessage(message);
    busy(submit, async () => {
      try {
        await api.changePassword(current.input.value, next.input.value);
        form.reset();
        showMessage(message, 'Your password was changed. Your other sessions have been logged out.', 'success');
      } catch (error) {
        const target = error.code === 'weak_password' ? next : current;
        showFieldError(target, describe(error));
        target.input.focus();
      }
    });
  });
  return el('section', { class: 'card', 'aria-labelledby': 'password-heading' },
    el('h2', { id: 'password-heading' }, 'Change password'), form);
}

/** "Where you're logged in": one row per live session, with "Log out" on every other one. */
function sessionsSection() {
  const list = el('ul', { class: 'sessions', 'aria-label': 'Sessions, this browser first' });
  const message = formMessage();
  const others = el('button', { type: 'button', class: 'secondary', hidden: true }, 'Log out of all other sessions');
  const act = (button, action) => busy(button, async () => {
    try {
      await action();
      await load();
      showMessage(message, 'Logged out.', 'success');
    } catch (error) {
      showMessage(message, describe(error));
    }
  });
  const load = async () => {
    const { sessions } = await api.sessions();
    list.replaceChildren(...sessions.map((session) => sessionItem(session, act)));
    others.hidden = sessions.length < 2;
  };
  others.addEventListener('click', () => act(others, () => api.revokeOtherSessions()));
  load().catch((error) => showMessage(message, describe(error)));
  return el('section', { class: 'card', 'aria-labelledby': 'sessions-heading' },
    el('h2', { id: 'sessions-heading' }, "Where you're logged in"),
    el('p', { class: 'muted' }, 'If you do not recognise one, log it out and change your password.'),
    message, list, others);
}

function sessionItem(session, act) {
  const item = el('li', { class: 'session' },
    el('div', { class: 'event-main' },
      el('span', { class: 'event-type' }, describeUserAgent(session.userAgent)),
      session.current ? el('span', { class: 'badge on' }, 'This browser') : null),
    el('div', { class: 'event-meta' },
      session.ip || 'unknown address', ' · last active ',
      el('time', { datetime: session.lastSeenAt }, formatTime(session.lastSeenAt))));
  if (!session.current) {
    const out = el('button', { type: 'button', class: 'secondary small',
      'aria-label': 'Log out ' + describeUserAgent(session.userAgent) + ', ' + (session.ip || 'unknown address') }, 'Log out');
    out.addEventListener('click', () => act(out, () => api.revokeSession(session.id)));
    item.append(out);
  }
  return item;
}

function activitySection() {
  const list = el('ol', { class: 'activity', 'aria-label': 'Recent activity, newest first' });
  const more = el('button', { type: 'button', class: 'secondary', hidden: true }, 'Show more');
  const message = formMessage();
  let next = null;
  const load = () => busy(more, async () => {
    try {
      const page = await api.activity(next);
      page.events.forEach((event) => list.append(activityItem(event)));
      next = page.next;
      more.hidden = !next;
      if (!list.children.length) list.append(el('li', {}, 'No activity yet.'));
    } catch (error) {
      showMessage(message, describe(error));
    }
  });
  more.addEventListener('click', load);
  load();
  return el('section', { class: 'card', 'aria-labelledby': 'activity-heading' },
    el('h2', { id: 'activity-heading' }, 'Activity'),
    el('p', { class: 'muted' }, 'Logins and security changes on your account. If you do not recognise one, change your password.'),
    message, list, more);
}

export function activityItem(event) {
  return el('li', { class: event.success ? 'event' : 'event failed' },
    el('div', { class: 'event-main' },
      el('span', { class: 'event-type' }, describeEvent(event)),
      el('span', { class: event.success ? 'badge on' : 'badge failed' }, event.success ? 'Success' : 'Failed')),
    el('div', { class: 'event-meta' },
      el('time', { datetime: event.at }, formatTime(event.at)),
      ' · ', event.ip || 'unknown address',
      ' · ', describeUserAgent(event.userAgent)));
}
