// The Account page: 2FA status and recovery codes, the password row, sessions, apps, and the Activity list.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDate, formatDateTime } from '../i18n.js';
import { activityView, describeBrowser } from '../activity.js';
import { passkeysSection } from './passkeys.js';
import { appsSection } from './apps.js';
import { holdNotice, phraseSection } from './protection.js';
import { trustedBrowsersSection } from './trusted-browsers.js';
import { checkupCard } from './checkup.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, hideMessage, busy, heading, focusResult } from '../ui.js';

export async function accountScreen(main, app) {
  let user;
  try {
    user = await api.account();
  } catch (error) {
    // The app shell has taken an ended session back to Log in (see sessionEnded in app.js).
    if (error.code === 'unauthenticated' || error.code === 'two_factor_required') return;
    main.append(el('p', { class: 'form-message error', role: 'alert' }, describe(error)));
    return;
  }
  app.setSession({ state: 'authenticated', user });
  const notice = app.notice;
  app.notice = null;
  const password = passwordPanel(app.config.password.minLength);
  // After a login with a recovery code, the likely story is a lost or new phone.
  const lostPhone = app.lostPhone && user.twoFactorEnabled;
  app.lostPhone = false;
  const security = securitySection(app, user, password);
  main.append(el('div', { class: 'page' },
    heading(t('account.title')),
    notice ? el('p', { class: 'notice', role: 'status' }, notice) : null,
    attentionBox(user, lostPhone, security),
    holdNotice(user),
    requiredBanner(user),
    checkupCard(app, user, () => openRegenerate(security)),
    el('p', { class: 'muted' }, user.email,
      // Once proven, the address says so where it is shown (until then the "Not verified" panel below does).
      user.emailVerified ? [' ', el('span', { class: 'badge on' }, t('email.verified'))] : null,
      ' · ', el('span', { class: 'keep-together' }, t('account.memberSince', { date: formatDate(user.createdAt) }))),
    user.emailVerified ? null : emailPanel(),
    security,
    passkeysSection(app, user),
    phraseSection(app, user),
    sessionsSection(),
    appsSection(),
    trustedBrowsersSection(app, user),
    activitySection(() => password.open(), app.config.activity)));
}

/** From this many recovery codes left, Account asks for new ones (a lost phone may need several). */
const FEW_CODES = 4;

/**
 * One amber box for what needs doing after a bad day: a lost phone (this session logged in with a recovery code)
 * or few recovery codes left, with both ways out: a new authentication app, new recovery codes.
 */
function attentionBox(user, lostPhone, security) {
  const few = user.twoFactorEnabled && user.recoveryCodesRemaining <= FEW_CODES;
  if (!lostPhone && !few) return null;
  // Right after a recovery-code login the count is news: "You have N left. Make new codes now."
  const regenerate = el('button', { type: 'button', class: lostPhone ? 'primary' : 'secondary' }, t('codes.regenerate'));
  regenerate.addEventListener('click', () => openRegenerate(security));
  const codesLeft = lostPhone && user.twoFactorEnabled ? t('account.codesLeftNow', { n: user.recoveryCodesRemaining })
    : few ? t('account.fewCodes', { n: user.recoveryCodesRemaining }) : null;
  return el('div', { class: 'warning attention', role: lostPhone ? 'status' : null },
    el('p', {}, lostPhone ? t('account.lostPhone') : null, lostPhone && codesLeft ? ' ' : null, codesLeft),
    el('div', { class: 'inline-actions' },
      lostPhone ? regenerate : null,
      el('a', { href: '/2fa/change', 'data-link': true, class: 'button secondary' }, t('account.lostPhone.link')),
      lostPhone ? null : regenerate));
}

/** Opens "Generate new recovery codes" in the security card (or focuses it when open). */
function openRegenerate(security) {
  const open = security.querySelector('[aria-controls="regenerate-panel"]');
  if (!open) return;
  if (open.getAttribute('aria-expanded') !== 'true') open.click();
  else security.querySelector('#regenerate-panel button').focus();
}

/** TWOFA_REQUIRE_2FA: "Turn on 2FA within N days", counting down until the set-up is all a login leads to. */
function requiredBanner(user) {
  if (user.twoFactorEnabled) return null;
  const box = el('div', { class: 'warning attention', hidden: true, id: 'required-2fa' });
  api.twoFactorRequirement().then((requirement) => {
    if (!requirement.required || requirement.held) return;
    box.append(el('p', {}, t('required.banner', { n: requirement.daysLeft, date: formatDate(requirement.dueAt) })),
      el('div', { class: 'inline-actions' },
        el('a', { href: '/2fa/setup?from=account', 'data-link': true, class: 'button primary' }, t('twofa.enable'))));
    box.hidden = false;
  }).catch(() => {});
  return box;
}

/** "Email · Not verified · Resend link", until the address is proven. */
function emailPanel() {
  const message = formMessage();
  const resend = el('button', { type: 'button', class: 'link-button' }, t('email.resend'));
  resend.addEventListener('click', async () => {
    hideMessage(message);
    try {
      await busy(resend, () => api.sendEmailVerification());
      showMessage(message, t('email.sent'), 'success');
    } catch (error) {
      showMessage(message, describe(error));
    }
  });
  return el('section', { class: 'card', 'aria-label': t('email.row') },
    el('dl', { class: 'settings' },
      // "Not verified · Resend link" stays on one line: the badge never ends a line with its link on the next.
      settingRow(t('email.row'), el('span', { class: 'keep-together' },
        el('span', { class: 'badge off' }, t('email.notVerified')), ' · ', resend))),
    el('p', { class: 'muted' }, t('email.why')), message);
}

/** A row of a settings list: its name, and its value (text or elements). */
export function settingRow(name, ...value) {
  return el('div', { class: 'setting' }, el('dt', {}, name), el('dd', {}, ...value));
}

/** The "2FA security" row, On or Off. */
export function twoFactorRow(user) {
  const on = user.twoFactorEnabled;
  return settingRow(t('twofa.security'), el('span', { class: on ? 'badge on' : 'badge off' }, t(on ? 'twofa.on' : 'twofa.off')));
}

export function recoveryCodesRow(user, count) {
  return settingRow(t('codes.row'), t('codes.left', { left: user.recoveryCodesRemaining, count }));
}

function securitySection(app, user, password) {
  const rows = el('dl', { class: 'settings' }, twoFactorRow(user));
  const section = el('section', { class: 'card', 'aria-labelledby': 'security-heading' },
    el('h2', { id: 'security-heading' }, t('account.security')), rows);
  // An account may have an authenticator app, passkeys (their own card below), or both.
  const hasApp = user.authenticatorApp !== false && user.twoFactorEnabled;
  if (!hasApp) {
    section.append(
      el('p', {}, t(user.twoFactorEnabled ? 'account.addAppHint' : 'account.enableHint')),
      el('button', { type: 'button', class: user.twoFactorEnabled ? 'secondary' : 'primary',
        onclick: () => app.navigate('/2fa/setup?from=account') }, t(user.twoFactorEnabled ? 'twofa.addApp' : 'twofa.enable')));
  }
  if (user.twoFactorEnabled) {
    if (hasApp) rows.append(authenticatorRow(app, user));
    rows.append(recoveryCodesRow(user, app.config.recoveryCodes.count));
    const change = hasApp ? el('button', { type: 'button', class: 'secondary', onclick: () => app.navigate('/2fa/change') },
      t('twofa.change')) : null;
    // Offered open right after a new app replaced a lost one (a recovery code was spent on the way).
    // Not during a security hold (a new app starts one): the hold's notice says why new codes wait.
    const offer = Boolean(app.offerNewCodes) && !user.securityHoldUntil;
    app.offerNewCodes = false;
    const panel = regeneratePanel(app, offer);
    const open = el('button', { type: 'button', class: 'secondary', 'aria-expanded': String(offer), 'aria-controls': 'regenerate-panel' },
      t('codes.regenerate'));
    open.addEventListener('click', () => {
      panel.hidden = !panel.hidden;
      open.setAttribute('aria-expanded', String(!panel.hidden));
      if (!panel.hidden) panel.querySelector('button').focus();
    });
    section.append(...[change, change ? ' ' : null, open, panel].filter(Boolean));
  }
  // "Password · Change": a row that opens its form, so the page stays short on a phone.
  const passwordRows = el('dl', { class: 'settings password-row' }, settingRow(t('password.row'), password.toggle));
  section.append(passwordRows, password.form);
  return section;
}

/** "Authenticator app · pafin / pafin Inc. · added 2 Dec 2026": the entry the user's app shows. */
function authenticatorRow(app, user) {
  // 「2026年12月7日に追加」 stays whole (never 「…に／追加」).
  const added = user.twoFactorEnabledAt
    ? [' · ', el('span', { class: 'keep-together' }, t('twofa.added', { date: formatDate(user.twoFactorEnabledAt) }))] : [];
  return settingRow(t('twofa.app'), app.entryName(user.email), ...added);
}

function regeneratePanel(app, offer) {
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('codes.regenerate.submit'));
  const form = el('form', { id: 'regenerate-panel', class: 'panel', novalidate: true, hidden: !offer },
    offer ? el('p', {}, t('codes.regenerate.offer')) : null,
    el('p', { class: 'warning' }, t('codes.regenerate.warning')),
    message, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, async () => {
      try {
        const result = await api.regenerateRecoveryCodes();
        app.recoveryCodes = { codes: result.recoveryCodes, from: 'account', enabled: false, saved: false };
        app.navigate('/recovery-codes');
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  return form;
}

function passwordPanel(minLength) {
  const current = field(t('password.current'), { type: 'password', autocomplete: 'current-password', required: true });
  const next = field(t('password.new'), { type: 'password', autocomplete: 'new-password', required: true },
    t('password.newHint', { min: minLength }));
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('password.submit'));
  const form = el('form', { novalidate: true, id: 'password-panel', class: 'panel', hidden: true,
    'aria-label': t('password.change') }, message, current.wrapper, next.wrapper, submit);
  const toggle = el('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': 'password-panel',
    'aria-label': t('password.change') }, t('password.changeShort'));
  const open = () => {
    form.hidden = false;
    toggle.setAttribute('aria-expanded', 'true');
    current.input.focus();
  };
  toggle.addEventListener('click', () => {
    if (form.hidden) {
      open();
    } else {
      form.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [current, next].forEach(clearFieldError);
    hideMessage(message);
    busy(submit, async () => {
      try {
        await api.changePassword(current.input.value, next.input.value);
        form.reset();
        showMessage(message, t('password.changed'), 'success');
      } catch (error) {
        const target = error.code === 'weak_password' ? next : current;
        showFieldError(target, describe(error));
        target.input.focus();
      }
    });
  });
  return { form, toggle, open };
}

/** "Where you're logged in": one row per live session, with "Log out" on every other one. */
function sessionsSection() {
  const list = el('ul', { class: 'sessions', 'aria-label': t('sessions.label') });
  const message = formMessage();
  const others = el('button', { type: 'button', class: 'secondary', hidden: true }, t('sessions.logOutOthers'));
  const act = (button, action) => busy(button, async () => {
    try {
      await action();
      await load();
      showMessage(message, t('sessions.loggedOut'), 'success');
      // The button pressed is gone (its row, or "Log out of all other sessions" with no others left).
      if (!button.isConnected || button.hidden) focusResult(message);
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
    el('h2', { id: 'sessions-heading' }, t('sessions.title')),
    el('p', { class: 'muted' }, t('sessions.intro')),
    message, list, others);
}

function sessionItem(session, act) {
  const where = session.ip || t('activity.unknownAddress');
  const item = el('li', { class: 'session' },
    el('div', { class: 'event-main' },
      el('span', { class: 'event-type' }, describeBrowser(session.browser)),
      session.current ? el('span', { class: 'badge on' }, t('sessions.thisBrowser')) : null),
    el('div', { class: 'event-meta' },
      where, ' · ', t('sessions.lastActive'), ' ',
      el('time', { datetime: session.lastSeenAt }, formatDateTime(session.lastSeenAt))));
  if (!session.current) {
    const out = el('button', { type: 'button', class: 'secondary small',
      'aria-label': t('sessions.logOutOne', { browser: describeBrowser(session.browser), where }) }, t('sessions.logOut'));
    out.addEventListener('click', () => act(out, () => api.revokeSession(session.id)));
    item.append(out);
  }
  return item;
}

/** "Kept for 400 days" and "Download my activity: CSV · JSON" (the server makes the files, in the user's words). */
function activityKeeping(activity) {
  const file = (format, label) => el('a', { href: '/api/account/activity/download?format=' + format, download: '' }, label);
  return [
    activity && activity.retentionDays ? el('p', { class: 'muted' }, t('activity.kept', { days: activity.retentionDays })) : null,
    el('p', { class: 'activity-download' }, el('span', { class: 'keep-together' }, t('activity.download')), ' ',
      el('span', { class: 'keep-together' }, file('csv', t('activity.download.csv')), ' · ', file('json', 'JSON'))),
  ];
}

function activitySection(onNotYou, activity) {
  const view = activityView({ label: t('activity.label'), onNotYou });
  const more = el('button', { type: 'button', class: 'secondary', hidden: true }, t('activity.more'));
  const message = formMessage();
  const events = [];
  let next = null;
  const load = () => busy(more, async () => {
    try {
      const page = await api.activity(next);
      events.push(...page.events);
      view.set(events);
      next = page.next;
      more.hidden = !next;
    } catch (error) {
      showMessage(message, describe(error));
    }
  });
  more.addEventListener('click', load);
  load();
  return el('section', { class: 'card', 'aria-labelledby': 'activity-heading' },
    el('h2', { id: 'activity-heading' }, t('activity.title')),
    el('p', { class: 'muted' }, t('activity.intro')),
    ...activityKeeping(activity),
    view.chips, message, view.list, more);
}
