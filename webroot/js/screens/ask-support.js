// "Ask support to turn off 2FA": from a login's code step (the password is proven), for someone who has lost the
// authentication app and the recovery codes. Says when the support desk will answer, and why it waits.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDateTime } from '../i18n.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, busy, heading } from '../ui.js';
import { backToLogin, endedCause, whoIsLoggingIn } from './login.js';

const REASONS = ['lost_phone', 'deleted_app', 'lost_recovery_codes', 'never_enabled'];
const CONTACT_MAX = 200;
const MESSAGE_MAX = 2000;

function reasonChoice() {
  const error = el('p', { id: 'reason-error', class: 'field-error', hidden: true });
  const options = REASONS.map((reason) => {
    const input = el('input', { type: 'radio', name: 'reason', value: reason, id: 'reason-' + reason });
    return el('div', { class: 'choice' }, input, el('label', { for: input.id }, t('askSupport.reason.' + reason)));
  });
  const group = el('fieldset', { class: 'choices', 'aria-describedby': 'reason-error' },
    el('legend', {}, t('askSupport.reason')), ...options, error);
  return {
    group,
    value: () => (group.querySelector('input:checked') || {}).value,
    showError(text) {
      error.textContent = text;
      error.hidden = false;
      group.querySelector('input').focus();
    },
    clear() {
      error.hidden = true;
    },
  };
}

export async function askSupportScreen(main, app) {
  // Writing takes longer than typing a code: the server keeps the login for the form's time (15 minutes), and
  // the screen shows no clock to race against.
  try {
    app.setSession(await api.holdLoginForSupport());
  } catch (error) {
    if (error.code === 'no_pending_login') {
      backToLogin(app, endedCause(app));
      return;
    }
  }
  // What a reload needs to say why the login ended (history.state survives a reload, web storage is not used).
  history.replaceState({ pendingLogin: { email: app.loginEmail, deadline: app.pendingDeadline } }, '', location.pathname);
  const reason = reasonChoice();
  const contact = field(t('askSupport.contact'), { type: 'text', name: 'contact', autocomplete: 'email',
    maxlength: String(CONTACT_MAX), required: true }, t('askSupport.contactHint'));
  const message = field(t('askSupport.message'), { name: 'message', rows: '4', maxlength: String(MESSAGE_MAX) },
    t('askSupport.messageHint'), 'textarea');
  const formError = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('askSupport.submit'));
  const form = el('form', { novalidate: true }, formError, reason.group, contact.wrapper, message.wrapper, submit);
  // What was typed survives the login running out (the person logs in again and comes back), for the same
  // account only (a shared computer), and in memory only.
  const email = app.session.pending ? app.session.pending.email : null;
  const draft = app.supportDraft && app.supportDraft.email === email ? app.supportDraft : {};
  if (draft.reason) reason.group.querySelector('input[value="' + draft.reason + '"]').checked = true;
  contact.input.value = draft.contact || '';
  message.input.value = draft.message || '';
  form.addEventListener('input', () => {
    app.supportDraft = { email, reason: reason.value(), contact: contact.input.value, message: message.input.value };
  });
  const card = el('section', { class: 'card' },
    heading(t('askSupport.title')),
    el('p', {}, t('askSupport.intro', { n: app.config.support.coolingOffHours })),
    whoIsLoggingIn(app),
    form,
    el('p', {}, el('a', { href: '/login/2fa', 'data-link': true }, t('askSupport.back'))));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    reason.clear();
    clearFieldError(contact);
    formError.hidden = true;
    if (!reason.value()) {
      reason.showError(t('askSupport.reason.missing'));
      return;
    }
    if (!contact.input.value.trim()) {
      showFieldError(contact, t('askSupport.contact.missing'));
      contact.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        // The API takes one line of text: line breaks become spaces.
        const text = message.input.value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
        const answer = await api.askSupport(reason.value(), contact.input.value.trim(), text);
        app.supportDraft = null;
        // The confirmation stays: the login's countdown no longer matters, so its timer stops here.
        app.cleanups.splice(0).forEach((fn) => fn());
        card.replaceChildren(heading(t('askSupport.sent.title')), sent(answer, contact.input.value.trim()));
        card.querySelector('h1').focus();
      } catch (error) {
        if (error.code === 'no_pending_login') {
          backToLogin(app, endedCause(app));
        } else {
          showMessage(formError, describe(error));
        }
      }
    });
  });
  main.append(card);
}

function sent(answer, contact) {
  return el('div', { class: 'support-sent' },
    el('p', { class: 'notice', role: 'status' }, t('askSupport.sent.when', { contact, time: formatDateTime(answer.replyAfter) })),
    el('p', {}, t('askSupport.sent.why', { n: answer.coolingOffHours })),
    el('p', {}, t('askSupport.sent.mail')),
    el('p', {}, el('a', { href: '/login/2fa', 'data-link': true }, t('askSupport.sent.foundIt'))));
}
