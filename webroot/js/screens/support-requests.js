// The support desk's requests to turn off 2FA: the list by status (open ones oldest first, a queue), and the
// open request of a looked-up account with its waiting period and the "Decline" form.
import { api } from '../api.js';
import { describe } from '../messages.js';
import { t, formatDateTime, formatWait } from '../i18n.js';
import { el, field, showFieldError, clearFieldError, formMessage, showMessage, busy } from '../ui.js';

const STATUSES = ['open', 'done', 'declined', 'cancelled'];

/** "Requests" with its status chips; {@code onOpen(email)} shows an open request's account below. */
export function requestsCard(onOpen) {
  let status = 'open';
  const list = el('ul', { class: 'requests', 'aria-live': 'polite' });
  const message = formMessage();
  const chips = el('div', { class: 'chips', role: 'group', 'aria-label': t('requests.filter') },
    STATUSES.map((name) => {
      const chip = el('button', { type: 'button', class: 'chip', 'aria-pressed': String(name === status) },
        t('requests.status.' + name));
      chip.addEventListener('click', () => {
        status = name;
        chips.querySelectorAll('.chip').forEach((c) => c.setAttribute('aria-pressed', String(c === chip)));
        load();
      });
      return chip;
    }));
  const load = async () => {
    message.hidden = true;
    try {
      const { requests } = await api.supportRequests(status);
      list.replaceChildren(...(requests.length ? requests.map((r) => requestItem(r, onOpen))
        : [el('li', { class: 'request empty' }, t('requests.none.' + status))]));
    } catch (error) {
      list.replaceChildren();
      showMessage(message, describe(error));
    }
  };
  const card = el('section', { class: 'card', 'aria-labelledby': 'requests-title' },
    el('h2', { id: 'requests-title' }, t('requests.title')),
    el('p', { class: 'muted' }, t('requests.intro')),
    chips, message, list);
  load();
  return { card, reload: load };
}

/** The request's facts as a settings-style list (also used on the looked-up account). */
export function requestFacts(request) {
  const row = (name, value) => [el('dt', {}, name), el('dd', {}, value)];
  return el('dl', { class: 'request-facts' },
    row(t('requests.reason'), t('askSupport.reason.' + request.reason)),
    row(t('requests.contact'), request.contact),
    request.message ? row(t('requests.message'), request.message) : null,
    row(t('requests.age'), t('requests.ago', { wait: formatWait(request.ageSeconds) })),
    request.status === 'open' ? row(t('requests.waiting'), waiting(request)) : null,
    request.closedBy ? row(t('requests.closedBy'), request.closedBy) : null,
    request.declineReason ? row(t('requests.declineReason'), request.declineReason) : null);
}

function waiting(request) {
  return request.coolingOffSecondsLeft > 0
    ? t('requests.waiting.left', { wait: formatWait(request.coolingOffSecondsLeft), time: formatDateTime(request.coolingOffEndsAt) })
    : t('requests.waiting.over');
}

function requestItem(request, onOpen) {
  const item = el('li', { class: 'request' },
    el('div', { class: 'request-main' }, el('strong', {}, request.email),
      request.status === 'open' && request.coolingOffSecondsLeft > 0
        ? el('span', { class: 'badge warning' }, t('requests.badge.waiting')) : null),
    requestFacts(request));
  if (request.status === 'open') {
    const open = el('button', { type: 'button', class: 'secondary' }, t('requests.open', { email: request.email }));
    open.setAttribute('aria-label', t('requests.openLabel', { email: request.email }));
    open.addEventListener('click', () => onOpen(request.email));
    item.append(open);
  }
  return item;
}

/** The looked-up account's open request, with "Decline request" (the reason is mailed to the account's owner). */
export function requestPanel(request, onDone) {
  const reason = field(t('requests.decline.reason'), { rows: '3', maxlength: '1000', required: true },
    t('requests.decline.reasonHint'), 'textarea');
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'secondary' }, t('requests.decline'));
  const form = el('form', { novalidate: true }, message, reason.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(reason);
    const text = reason.input.value.replace(/\s*[\r\n]+\s*/g, ' ').trim();
    if (!text) {
      showFieldError(reason, t('field.required'));
      reason.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await api.declineSupportRequest(request.id, text);
        await onDone(t('requests.declined', { email: request.email }));
      } catch (error) {
        showMessage(message, describe(error));
      }
    });
  });
  return el('section', { class: 'panel request-panel', 'aria-labelledby': 'open-request' },
    el('h3', { id: 'open-request' }, t('requests.openRequest')),
    requestFacts(request),
    el('h4', {}, t('requests.decline')),
    form);
}
