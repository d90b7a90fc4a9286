// The app's words: one message file per language (webroot/i18n/<lang>.json, identical keys), the language the
// server chose in <html lang>, and dates and numbers through Intl in that language.

export const LANGUAGES = ['en', 'ja'];
let locale = 'en';
let messages = {};

export function lang() {
  return locale;
}

/** Loads the messages of {@code language} and makes it the page's language. */
export async function useLanguage(language) {
  const chosen = LANGUAGES.includes(language) ? language : LANGUAGES[0];
  const response = await fetch('/i18n/' + chosen + '.json', { credentials: 'same-origin' });
  messages = await response.json();
  locale = chosen;
  document.documentElement.lang = chosen;
}

/**
 * The message {@code key} with its {placeholders} filled from {@code params}. A message may have plural forms
 * ({"one": …, "other": …}), chosen by params.n with the language's plural rules.
 */
export function t(key, params = {}) {
  let message = messages[key];
  if (message === undefined) {
    console.warn('missing message ' + key);
    return key;
  }
  if (typeof message === 'object') {
    message = message[new Intl.PluralRules(locale).select(params.n)] || message.other;
  }
  return message.replace(/\{(\w+)\}/g, (whole, name) => (params[name] === undefined ? whole : String(params[name])));
}

/** Remembers the choice for a year; the server reads it back when it renders the next page. */
export function rememberLanguage(language) {
  const secure = location.protocol === 'https:';
  // On HTTPS the cookie is host-only and Secure, under the __Host- name the server also reads.
  const name = secure ? '__Host-lang' : 'lang';
  document.cookie = name + '=' + language + '; Path=/; Max-Age=31536000; SameSite=Lax' + (secure ? '; Secure' : '');
}

/** "2026年12月2日 12:08", "December 2, 2026 at 12:08 PM". */
export function formatDateTime(iso) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(new Date(iso));
}

export function formatDate(isoOrDate) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long' }).format(new Date(isoOrDate));
}

/** "2 minutes", "45 seconds", "3 hours" (and 「2分」…) for a wait in seconds. */
export function formatWait(seconds) {
  const s = Math.max(1, Math.round(seconds));
  // Intl writes 「15 分」; Japanese sets a number against its unit (「15分後に」).
  const unit = (value, name) => {
    const text = new Intl.NumberFormat(locale, { style: 'unit', unit: name, unitDisplay: 'long' }).format(value);
    return locale === 'ja' ? text.replace(/(\d)\s+(?=\D)/u, '$1') : text;
  };
  if (s < 90) return unit(s, 'second');
  const minutes = Math.ceil(s / 60);
  if (minutes < 90) return unit(minutes, 'minute');
  return unit(Math.ceil(minutes / 60), 'hour');
}

/** Fills the server-rendered shell's texts: elements marked data-i18n (text) and data-i18n-label (aria-label). */
export function translateShell() {
  document.querySelectorAll('[data-i18n]').forEach((node) => { node.textContent = t(node.dataset.i18n); });
  document.querySelectorAll('[data-i18n-label]').forEach((node) => node.setAttribute('aria-label', t(node.dataset.i18nLabel)));
  document.querySelectorAll('[data-lang]').forEach((node) =>
    node.setAttribute('aria-pressed', String(node.dataset.lang === locale)));
}
