// Account protection: the security hold's notice (sensitive changes paused until …) and the anti-phishing phrase.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, lang } from '../i18n.js';
import { el, field, formMessage, showMessage, hideMessage, busy, showFieldError, clearFieldError } from '../ui.js';

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

/** What the server counts: code points after NFC, outer spaces removed (the server has the last word). */
function phraseLength(value) {
  return [...value.normalize('NFC').trim()].length;
}

/**
 * Account › Anti-phishing phrase: "Set" or "Not set" (never the phrase), "Show" (the server asks "Confirm it's
 * you" first), and a form to set or change it. A change shows in mails only from the time the server gives.
 */
export function phraseSection(app, user) {
  let current = user;
  const message = formMessage();
  const status = el('span');
  const pending = el('p', { class: 'muted', hidden: true });
  const shown = el('div', { class: 'phrase-shown', id: 'phrase-shown', hidden: true });
  const show = el('button', { type: 'button', class: 'link-button', 'aria-expanded': 'false', 'aria-controls': 'phrase-shown' },
    t('phrase.show'));
  const input = field(t('phrase.field'), { type: 'text', autocomplete: 'off', spellcheck: 'false', required: true },
    t('phrase.hint'));
  const save = el('button', { type: 'submit', class: 'primary' }, t('phrase.save'));
  const form = el('form', { id: 'phrase-panel', class: 'panel', novalidate: true, hidden: true }, input.wrapper, save);
  const open = el('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false', 'aria-controls': 'phrase-panel' });
  const render = () => {
    status.className = current.phraseSet ? 'badge on' : 'badge off';
    status.textContent = t(current.phraseSet ? 'phrase.isSet' : 'phrase.notSet');
    show.hidden = !current.phraseSet;
    open.textContent = t(current.phraseSet ? 'phrase.change' : 'phrase.setButton');
    pending.hidden = !current.phraseChangesAt;
    if (current.phraseChangesAt) pending.textContent = t('phrase.changesAt', { time: formatInZone(current.phraseChangesAt, current.timeZone) });
  };
  const hide = () => {
    shown.hidden = true;
    shown.replaceChildren();
    show.textContent = t('phrase.show');
    show.setAttribute('aria-expanded', 'false');
  };
  show.addEventListener('click', () => {
    hideMessage(message);
    if (!shown.hidden) {
      hide();
      return;
    }
    busy(show, async () => {
      try {
        return await api.phrase();
      } catch (error) {
        showMessage(message, describe(error));
        return null;
      }
    }).then((view) => {
      if (!view) return;
      // After busy() has put the button's own label back: it now hides the phrase again.
      shown.replaceChildren(...[
        el('p', {}, t('phrase.current', { phrase: view.phrase })),
        view.pendingPhrase ? el('p', {}, t('phrase.next',
          { time: formatInZone(view.changesAt, current.timeZone), phrase: view.pendingPhrase })) : null].filter(Boolean));
      shown.hidden = false;
      show.textContent = t('phrase.hide');
      show.setAttribute('aria-expanded', 'true');
    });
  });
  open.addEventListener('click', () => {
    form.hidden = !form.hidden;
    open.setAttribute('aria-expanded', String(!form.hidden));
    if (!form.hidden) input.input.focus();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(input);
    hideMessage(message);
    const length = phraseLength(input.input.value);
    if (length < 4 || length > 20) {
      showFieldError(input, t('error.invalid_phrase'));
      input.input.focus();
      return;
    }
    busy(save, async () => {
      try {
        current = await api.setPhrase(input.input.value);
        form.reset();
        form.hidden = true;
        open.setAttribute('aria-expanded', 'false');
        hide();
        render();
        showMessage(message, current.phraseChangesAt
          ? t('phrase.changing', { time: formatInZone(current.phraseChangesAt, current.timeZone) }) : t('phrase.saved'), 'success');
      } catch (error) {
        if (error.code === 'invalid_phrase') {
          showFieldError(input, describe(error));
          input.input.focus();
        } else {
          showMessage(message, describe(error));
        }
      }
    });
  });
  render();
  return el('section', { class: 'card', 'aria-labelledby': 'phrase-heading', id: 'phrase' },
    el('h2', { id: 'phrase-heading' }, t('phrase.title')),
    el('p', { class: 'muted' }, t('phrase.intro')),
    el('dl', { class: 'settings' }, el('div', { class: 'setting' }, el('dt', {}, t('phrase.row')),
      el('dd', {}, el('span', { class: 'keep-together' }, status, ' ', show)))),
    pending, shown, message, open, form);
}
