// The support desk: requests to turn off 2FA, look a user up, and turn 2FA off (with a reason and how identity
// was verified, and a note when a request's waiting period is overridden) or decline the request.
import { api } from '../api.js';
import { requestsCard, requestPanel } from './support-requests.js';
import { describe } from '../messages.js';
import { t, formatDate, formatDateTime } from '../i18n.js';
import { activityView } from '../activity.js';
import { settingRow, twoFactorRow, recoveryCodesRow } from './account.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, busy, heading } from '../ui.js';

export function supportScreen(main, app) {
  const result = el('div', { 'aria-live': 'polite' });
  const email = field(t('support.email'), { type: 'email', autocomplete: 'off', required: true, 'data-autofocus': true });
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, t('support.lookUp'));
  const form = el('form', { novalidate: true, class: 'lookup' }, message, email.wrapper, submit);
  const requests = requestsCard((address) => {
    email.input.value = address;
    Promise.resolve(lookUp()).then(() => result.scrollIntoView());
  });
  const lookUp = () => busy(submit, async () => {
    clearFieldError(email);
    message.hidden = true;
    try {
      const found = await api.supportLookup(email.input.value.trim());
      // After a change, the account and the list are drawn again and the change is said under the account's name.
      const done = async (notice) => {
        await lookUp();
        requests.reload();
        document.getElementById('found-user').after(el('p', { class: 'notice', role: 'status' }, notice));
      };
      result.replaceChildren(userCard(app, found, done));
    } catch (error) {
      result.replaceChildren();
      if (error.code === 'user_not_found' || error.code === 'invalid_request') {
        showFieldError(email, error.code === 'user_not_found' ? describe(error) : t('field.email.missing'));
      } else {
        showMessage(message, describe(error));
      }
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    lookUp();
  });
  main.append(el('div', { class: 'page' },
    heading(t('support.title')),
    el('p', { class: 'muted' }, t('support.intro')),
    requests.card,
    el('section', { class: 'card', 'aria-label': t('support.lookUpLabel') }, form),
    result));
}

function userCard(app, found, done) {
  const user = found.user;
  const card = el('section', { class: 'card', 'aria-labelledby': 'found-user' },
    el('h2', { id: 'found-user' }, user.email),
    el('dl', { class: 'settings' }, twoFactorRow(user), recoveryCodesRow(user, app.config.recoveryCodes.count),
      settingRow(t('support.memberSince'), formatDate(user.createdAt))));
  // The owner said "This wasn't me" to a request: whoever asks now by another way may be the same stranger.
  const cancelled = found.activity.find((event) => event.type === 'support.cancelled');
  if (cancelled && !found.request) {
    card.append(el('p', { class: 'warning' }, t('support.cancelledWarning', { date: formatDateTime(cancelled.at) })));
  }
  if (found.request) {
    card.append(requestPanel(found.request, done));
  }
  if (found.passkeys && found.passkeys.length) {
    card.append(passkeyList(user.email, found.passkeys, found.request, done));
  }
  if (user.twoFactorEnabled) {
    card.append(disableForm(user.email, found.request, done));
  }
  const view = activityView({ label: t('support.activityLabel', { email: user.email }) });
  view.set(found.activity);
  card.append(el('h3', {}, t('support.activity')), view.chips, view.list);
  return card;
}

/** The account's passkeys (name, added, last used), each with Remove, which asks the same as "Disable 2FA". */
function passkeyList(email, passkeys, request, done) {
  const list = el('ul', { class: 'passkeys', 'aria-label': t('passkeys.title') }, passkeys.map((passkey) => {
    const used = passkey.lastUsedAt ? t('passkeys.lastUsed', { date: formatDate(passkey.lastUsedAt) }) : t('passkeys.neverUsed');
    const remove = el('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false',
      'aria-label': t('passkeys.removeOne', { name: passkey.name }) }, t('passkeys.remove'));
    const row = el('li', { class: 'passkey' },
      el('span', { class: 'event-type passkey-name' }, passkey.name),
      el('div', { class: 'event-meta' }, t('passkeys.added', { date: formatDate(passkey.createdAt) }), ' · ', used),
      el('div', { class: 'actions' }, remove));
    let form = null;
    remove.addEventListener('click', () => {
      if (form) {
        form.remove();
        form = null;
      } else {
        form = changeForm(request, {
          title: t('passkeys.removeOne', { name: passkey.name }),
          warning: t('support.passkeyRemoveWarning', { name: passkey.name, email }),
          submit: t('passkeys.remove'),
          send: (reason, verification, requestId, override) =>
            api.supportRemovePasskey(email, passkey.id, reason, verification, requestId, override),
          done: () => done(t('support.passkeyRemoved', { name: passkey.name, email })),
        });
        row.append(form);
        form.querySelector('textarea').focus();
      }
      remove.setAttribute('aria-expanded', String(Boolean(form)));
    });
    return row;
  }));
  return el('div', {}, el('h3', {}, t('passkeys.title')), list);
}

/**
 * "Disable 2FA". With an open request it completes that request; while the request's waiting period runs (its
 * owner may still cancel it) the form asks for a note that overrides the wait.
 */
function disableForm(email, request, done) {
  return changeForm(request, {
    title: t('support.disable'),
    warning: t('support.disableWarning', { email }),
    submit: t('support.disable'),
    send: (reason, verification, requestId, override) =>
      api.supportDisableTotp(email, reason, verification, requestId, override),
    done: () => done(t('support.disabled', { email })),
  });
}

/** A change the desk makes: a reason, how identity was verified, and the override note while a request waits. */
function changeForm(request, { title, warning, submit: label, send, done }) {
  const reason = field(t('support.reason'), { rows: '2', maxlength: '1000', required: true }, undefined, 'textarea');
  const verification = field(t('support.verification'), { rows: '3', maxlength: '1000', required: true },
    t('support.verificationHint'), 'textarea');
  const waiting = request && request.coolingOffSecondsLeft > 0;
  const override = waiting
    ? field(t('support.override'), { rows: '2', maxlength: '1000', required: true }, t('support.overrideHint'), 'textarea')
    : null;
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'danger' }, label);
  const form = el('form', { novalidate: true, class: 'panel' },
    el('h3', {}, title),
    el('p', { class: 'warning' }, warning),
    message, reason.wrapper, verification.wrapper, override ? override.wrapper : null, submit);
  const oneLine = (f) => f.input.value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const fields = [reason, verification, override].filter(Boolean);
    fields.forEach(clearFieldError);
    const missing = fields.find((f) => !f.input.value.trim());
    if (missing) {
      showFieldError(missing, t('field.required'));
      missing.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await send(oneLine(reason), oneLine(verification), request ? request.id : undefined,
          override ? oneLine(override) : undefined);
        await done();
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  return form;
}
