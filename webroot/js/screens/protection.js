// Account protection: the security hold's notice (sensitive changes paused until …) and the anti-phishing phrase.
import { t, lang } from '../i18n.js';
import { el } from '../ui.js';

/** "December 8, 2026 at 9:04 AM GMT+9" in the account's own time zone (the browser's when it has none or an odd one). */
export function formatInZone(iso, timeZone) {
  const options = { dateStyle: 'long', timeStyle: 'short' };
  try {
    return new Intl.DateTimeFormat(lang(), { ...options, timeZone: timeZone || undefined, timeZoneName: 'short' }).format(new Date(iso));
  } catch (e) {
    return new Intl.DateTimeFormat(lang(), options).format(new Date(iso));
  }
}

/** While the account's security hold lasts: what is paused, until when, and what to do if the change was not theirs. */
export function holdNotice(user) {
  if (!user.securityHoldUntil) return null;
  return el('p', { class: 'warning hold-notice', role: 'status', id: 'security-hold' },
    t('hold.notice', { time: formatInZone(user.securityHoldUntil, user.timeZone) }));
}
