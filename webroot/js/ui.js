// Small DOM helpers shared by the screens. Everything is built with DOM APIs: no HTML strings, no inline style.
import { describe as describeError } from './messages.js';
import { t } from './i18n.js';

/** el('p', {class: 'x'}, 'text', child) creates an element; attributes starting with "on" become listeners. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) {
      node.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === 'class') {
      node.className = value;
    } else {
      node.setAttribute(name, value === true ? '' : value);
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let fieldCounter = 0;

/** A labelled input (or textarea) with a slot for its error message, wired with aria-describedby. */
export function field(label, attributes = {}, hint, tag = 'input') {
  const id = attributes.id || 'field-' + (++fieldCounter);
  const errorId = id + '-error';
  const hintId = hint ? id + '-hint' : null;
  const input = el(tag, { ...attributes, id, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') });
  const error = el('p', { id: errorId, class: 'field-error', hidden: true });
  const wrapper = el('div', { class: 'field' },
    el('label', { for: id }, label),
    hint ? el('p', { id: hintId, class: 'hint' }, hint) : null,
    input, error);
  return { wrapper, input, error };
}

export function showFieldError(f, message) {
  f.error.textContent = message;
  f.error.hidden = false;
  f.input.setAttribute('aria-invalid', 'true');
}

export function clearFieldError(f) {
  f.error.textContent = '';
  f.error.hidden = true;
  f.input.removeAttribute('aria-invalid');
}

/** A form-level message (role=alert so screen readers hear it at once). */
export function formMessage() {
  return el('div', { class: 'form-message', role: 'alert', hidden: true });
}

export function showMessage(box, text, kind = 'error') {
  box.replaceChildren(...(Array.isArray(text) ? text : [text]));
  box.className = 'form-message ' + kind;
  box.hidden = false;
}

export function hideMessage(box) {
  box.hidden = true;
  box.replaceChildren();
}

/** Runs action while the button shows progress; a second click meanwhile does nothing. */
export async function busy(button, action) {
  if (button.getAttribute('aria-busy') === 'true') return undefined;
  const label = button.textContent;
  button.setAttribute('aria-busy', 'true');
  button.disabled = true;
  button.classList.add('busy');
  button.textContent = label + '…';
  try {
    return await action();
  } finally {
    button.textContent = label;
    button.disabled = false;
    button.classList.remove('busy');
    button.removeAttribute('aria-busy');
  }
}

/** Moves focus to what replaced a form (its result), so keyboard and screen-reader users are not left on <body>. */
export function focusResult(node) {
  node.setAttribute('tabindex', '-1');
  node.focus();
}

export function announce(text) {
  const announcer = document.getElementById('announcer');
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 50);
}

/**
 * A one-time-code field: numeric keyboard, the platform's code autofill, spaces in pasted codes ignored,
 * and onComplete called as soon as all digits are there.
 */
export function codeField(label, digits, onComplete) {
  const f = field(label, {
    name: 'code', type: 'text', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9 ]*', maxlength: String(digits + 4), required: true, class: 'code-input', spellcheck: 'false',
  });
  f.input.addEventListener('input', () => {
    clearFieldError(f);
    if (f.input.value.replace(/\D/g, '').length === digits && !/[^\d\s-]/.test(f.input.value)) {
      onComplete();
    }
  });
  f.value = () => f.input.value.replace(/[\s-]/g, '');
  return f;
}

export function heading(text) {
  return el('h1', { tabindex: '-1' }, text);
}

/**
 * A form around a code field of {@code digits} digits that submits itself once the code is complete.
 * {@code submitCode} gets the code; a failure it throws is shown next to the field unless {@code onError}
 * handles it (returns true). {@code autofocus} false leaves the focus on the heading (long screens).
 */
export function codeForm({ label, digits, submitLabel, className, submitCode, onError = () => false, autofocus = true }) {
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, submitLabel);
  const code = codeField(label, digits, () => form.requestSubmit());
  if (autofocus) code.input.setAttribute('data-autofocus', '');
  const form = el('form', { novalidate: true, class: className }, message, code.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (code.value().length !== digits) {
      showFieldError(code, t('code.enterDigits', { digits }));
      return;
    }
    busy(submit, async () => {
      try {
        await submitCode(code.value());
      } catch (error) {
        if (!(await onError(error, message, code))) {
          showFieldError(code, describeError(error));
          code.input.select();
        }
      }
    });
  });
  return form;
}
