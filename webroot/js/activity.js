// Activity as a story: the steps of one login (linked by the server's loginId) become one row, said in words;
// failures are red, a password that passed without its second step is amber, neutral events carry no pill.
import { t, formatDateTime } from './i18n.js';
import { el } from './ui.js';

const LOGIN_STEPS = new Set(['login.password', 'login.totp', 'login.recovery_code', 'login.passkey', 'login.abandoned',
  'login.passkey_sign_in']);
const SECOND_STEPS = new Set(['login.totp', 'login.recovery_code', 'login.passkey']);
const SECOND_STEP_WORDS = { 'login.totp': 'activity.login.app', 'login.recovery_code': 'activity.login.recoveryCode',
  'login.passkey': 'activity.login.passkey', 'login.passkey_sign_in': 'activity.login.passkeySignIn' };
const SECURITY_CHANGES = new Set(['2fa.enabled', '2fa.disabled', '2fa.changed', '2fa.reverted',
  'recovery_codes.regenerated', 'password.changed', 'session.revoked', 'sessions.revoked_others', 'support.granted', 'support.revoked',
  'account.secured', 'password.reset', 'support.requested', 'support.cancelled', 'support.declined',
  'email.verified', 'passkey.added', 'passkey.renamed', 'passkey.removed', 'passkey.clone_suspected',
  'oidc.access_removed', 'phrase.set', 'phrase.changed', 'trusted_browser.added', 'trusted_browser.removed']);
const KNOWN = new Set(['signup', 'logout', 'step_up', 'oidc.login', ...SECURITY_CHANGES, ...LOGIN_STEPS]);
// A refused code while turning 2FA on or changing the app is the user's own typo (it needs their session): said
// as one neutral row per run of them, not as a failure a stranger caused.
const SETUP_TYPOS = { '2fa.enabled': 'activity.wrongCodes.setup', '2fa.changed': 'activity.wrongCodes.change' };

/** The event in words; support actions say who acted ("the support desk" for the user, the staff email for staff). */
export function describeEvent(event) {
  // Application events name the application (details.client).
  const words = KNOWN.has(event.type) ? t('event.' + event.type, event.details || {}) : event.type;
  if (!event.actor) return words;
  return t('event.byActor', { what: words, actor: event.actor === 'support' ? t('event.supportDesk') : event.actor });
}

/**
 * Rows from events (newest first): one per login attempt, one per other event. A row has kind (login, change,
 * other), tone (ok, failed, warning), words, and the event whose time and place it shows.
 */
export function activityRows(events) {
  const rows = [];
  const logins = new Map();
  let typos = null;
  for (const event of events) {
    const loginId = event.details && event.details.loginId;
    if (SETUP_TYPOS[event.type] && !event.success) {
      if (typos && typos.type === event.type && rows[rows.length - 1] === typos) {
        typos.n += 1;
      } else {
        typos = { kind: 'change', tone: 'neutral', type: event.type, n: 1, event };
        rows.push(typos);
      }
    } else if (event.type === 'oidc.login') {
      // A code issued to an application: "Logged in to cryptact".
      rows.push({ kind: 'login', tone: 'ok', event, words: describeEvent(event) });
    } else if (LOGIN_STEPS.has(event.type) && loginId) {
      if (!logins.has(loginId)) {
        const row = { kind: 'login', steps: [] };
        logins.set(loginId, row);
        rows.push(row);
      }
      logins.get(loginId).steps.push(event);
    } else if (LOGIN_STEPS.has(event.type)) {
      // Recorded before logins had ids (or a wrong password, or a right one refused after "This wasn't me": each
      // a whole attempt by itself).
      rows.push(event.type === 'login.password' && !event.success
        ? { kind: 'login', tone: 'failed', event, words: t(event.details && event.details.reason === 'password_reset_required'
          ? 'activity.login.resetRequired' : 'activity.login.wrongPassword') }
        : { kind: 'login', tone: event.success ? 'ok' : 'failed', event,
          // A passkey alone is a whole login in one step.
          words: event.success && SECOND_STEP_WORDS[event.type] ? t(SECOND_STEP_WORDS[event.type]) : describeEvent(event) });
    } else {
      rows.push({ kind: SECURITY_CHANGES.has(event.type) ? 'change' : 'other', tone: event.success ? 'ok' : 'failed',
        words: describeEvent(event), event });
    }
  }
  return rows.map((row) => (row.steps ? loginRow(row.steps)
    : row.tone === 'neutral' ? { ...row, words: t(SETUP_TYPOS[row.type], { n: row.n }) } : row));
}

function loginRow(steps) {
  const password = steps.find((e) => e.type === 'login.password');
  const passed = steps.find((e) => SECOND_STEPS.has(e.type) && e.success);
  const abandoned = steps.find((e) => e.type === 'login.abandoned');
  const wrong = steps.filter((e) => SECOND_STEPS.has(e.type) && !e.success).length;
  // Time and place of the attempt: where its password step came from.
  const event = password || steps[steps.length - 1];
  if (password && !password.success) {
    return { kind: 'login', tone: 'failed', words: t('activity.login.wrongPassword'), event };
  }
  if (passed) {
    const words = t(SECOND_STEP_WORDS[passed.type]);
    return { kind: 'login', tone: 'ok', event,
      words: wrong ? t('activity.login.afterWrong', { what: words, n: wrong }) : words };
  }
  if (password && password.details.secondFactor === 'trusted_browser') {
    return { kind: 'login', tone: 'ok', words: t('activity.login.trustedBrowser'), event };
  }
  if (password && password.details.secondFactor !== 'required') {
    return { kind: 'login', tone: 'ok', words: t('activity.login.password'), event };
  }
  const reason = abandoned
    ? (abandoned.details.reason === 'too_many_codes'
      ? t('activity.login.notCompleted.tooMany', { n: Number(abandoned.details.failures) })
      : t('activity.login.notCompleted.expired'))
    : t('activity.login.notCompleted');
  return { kind: 'login', tone: 'warning', words: reason, event };
}

const FILTERS = {
  all: () => true,
  logins: (row) => row.kind === 'login',
  changes: (row) => row.kind === 'change',
  failed: (row) => row.tone === 'failed' || row.tone === 'warning',
};

/**
 * The Activity list with its filter chips (All · Logins · Security changes · Failed). {@code onNotYou}, when
 * given, is offered on amber rows ("Not you? Change your password").
 */
export function activityView({ label, onNotYou }) {
  const list = el('ol', { class: 'activity', 'aria-label': label });
  let events = [];
  let filter = 'all';
  const chips = el('div', { class: 'chips', role: 'group', 'aria-label': t('activity.filter') },
    Object.keys(FILTERS).map((name) => {
      const chip = el('button', { type: 'button', class: 'chip', 'aria-pressed': String(name === filter) },
        t('activity.filter.' + name));
      chip.addEventListener('click', () => {
        filter = name;
        chips.querySelectorAll('.chip').forEach((c) => c.setAttribute('aria-pressed', String(c === chip)));
        draw();
      });
      return chip;
    }));
  const draw = () => {
    const rows = activityRows(events).filter(FILTERS[filter]);
    list.replaceChildren(...(rows.length ? rows.map((row) => activityItem(row, onNotYou))
      : [el('li', { class: 'event' }, t(events.length ? 'activity.noneHere' : 'activity.none'))]));
  };
  return {
    chips,
    list,
    set(all) {
      events = all;
      draw();
    },
  };
}

const PILLS = { failed: 'activity.pill.failed', warning: 'activity.pill.notCompleted' };

function activityItem(row, onNotYou) {
  const event = row.event;
  const item = el('li', { class: 'event ' + row.tone },
    el('div', { class: 'event-main' },
      el('span', { class: 'event-type' }, row.words),
      PILLS[row.tone] ? el('span', { class: 'badge ' + row.tone }, t(PILLS[row.tone])) : null),
    el('div', { class: 'event-meta' },
      el('time', { datetime: event.at }, formatDateTime(event.at)),
      ' · ', event.ip || t('activity.unknownAddress'),
      ' · ', describeBrowser(event.browser)));
  if (row.tone === 'warning' && onNotYou) {
    const button = el('button', { type: 'button', class: 'link-button' }, t('activity.notYou'));
    button.addEventListener('click', onNotYou);
    item.append(el('p', { class: 'not-you' }, button));
  }
  return item;
}

/** "Chrome on Linux" from the server's reading of the User-Agent (its `browser`): the one list of names. */
export function describeBrowser(browser) {
  const { name, system } = browser || {};
  if (!name) return system ? t('ua.on', { browser: t('ua.unknown'), system }) : t('ua.unknown');
  return system ? t('ua.on', { browser: name, system }) : name;
}
