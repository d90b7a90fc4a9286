// Sign up, log in, and the second step of a login (app code, or a recovery code after a lost device).
import { api } from '../api.js';
import { describe } from '../messages.js';
import { el, field, codeForm, showFieldError, clearFieldError, formMessage, showMessage, busy, heading } from '../ui.js';

const FIELD_OF_ERROR = { invalid_email: 'email', email_taken: 'email', weak_password: 'password' };

function credentialsForm({ submitLabel, passwordAutocomplete, passwordHint, onSubmit }) {
  const email = field('Email address', { type: 'email', name: 'email', autocomplete: 'username', required: true, 'data-autofocus': true });
  const password = field('Password', { type: 'password', name: 'password', autocomplete: passwordAutocomplete, required: true }, passwordHint);
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, submitLabel);
  const form = el('form', { novalidate: true }, message, email.wrapper, password.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    [email, password].forEach(clearFieldError);
    message.hidden = true;
    if (!email.input.value.trim()) {
      showFieldError(email, 'Enter your email address.');
      email.input.focus();
      return;
    }
    if (!password.input.value) {
      showFieldError(password, 'Enter your password.');
      password.input.focus();
      return;
    }
    busy(submit, async () => {
      try {
        await onSubmit(email.input.value.trim(), password.input.value);
      } catch (error) {
        const target = { email, password }[FIELD_OF_ERROR[error.code]];
        if (target) {
          showFieldError(target, describe(error));
          target.input.focus();
        } else {
          showMessage(message, describe(error));
          password.input.select();
        }
      }
    });
  });
  return form;
}

function noticeFrom(app) {
  const notice = app.notice;
  app.notice = null;
  return notice ? el('p', { class: 'notice', role: 'status' }, notice) : null;
}

export function signupScreen(main, app) {
  main.append(el('section', { class: 'card' },
    heading('Sign up'),
    el('p', {}, 'Create your ' + app.config.productName + ' account.'),
    credentialsForm({
      submitLabel: 'Sign up',
      passwordAutocomplete: 'new-password',
      passwordHint: 'At least 8 characters. A few unrelated words make a strong password.',
      onSubmit: async (email, password) => {
        app.setSession(await api.signup(email, password));
        app.navigate('/welcome');
      },
    }),
    el('p', { class: 'switch' }, 'Already have an account? ', el('a', { href: '/login', 'data-link': true }, 'Log in'))));
}

export function loginScreen(main, app) {
  main.append(el('section', { class: 'card' },
    heading('Log in'),
    noticeFrom(app),
    credentialsForm({
      submitLabel: 'Log in',
      passwordAutocomplete: 'current-password',
      onSubmit: async (email, password) => {
        const session = await api.login(email, password);
        app.setSession(session);
        app.navigate(session.state === 'pending_2fa' ? '/login/2fa' : '/account');
      },
    }),
    el('p', { class: 'switch' }, 'New here? ', el('a', { href: '/signup', 'data-link': true }, 'Sign up'))));
}

/** Shared by both second steps: expired logins go back to the password step, with the reason. */
async function completeLogin(app, attempt) {
  try {
    const session = await attempt();
    app.setSession(session);
    return session;
  } catch (error) {
    if (error.code === 'no_pending_login') {
      app.setSession({ state: 'anonymous', user: null });
      app.notice = 'Your login expired (you have 5 minutes and 5 tries for the code). Enter your email address and password again.';
      app.navigate('/login');
      return null;
    }
    throw error;
  }
}

function supportHint() {
  return el('p', { class: 'hint support' },
    'Lost your device and your recovery codes too? Contact the support desk: after verifying who you are, ',
    'they can turn off 2FA for your account.');
}

export function totpScreen(main, app) {
  const form = codeForm({
    label: '6-digit code',
    submitLabel: 'Verify',
    submitCode: async (code) => {
      if (await completeLogin(app, () => api.loginWithTotp(code))) {
        app.navigate('/account');
      }
    },
  });
  main.append(el('section', { class: 'card' },
    heading('Two-factor authentication'),
    el('p', {}, 'Open your authenticator app and enter the 6-digit code shown for ' + app.config.productName + '.'),
    el('p', { class: 'hint' }, 'For your security this step must be finished within 5 minutes.'),
    form,
    el('p', {}, el('a', { href: '/login/recovery', 'data-link': true }, 'Lost your authentication device?')),
    supportHint()));
}

export function recoveryScreen(main, app) {
  const message = formMessage();
  const submit = el('button', { type: 'submit', class: 'primary' }, 'Log in to ' + app.config.productName);
  const code = field('Recovery code', {
    name: 'recovery-code', type: 'text', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    required: true, maxlength: '24', 'data-autofocus': true,
  }, 'One of the 10-character codes you saved when you turned on 2FA. Each code works once.');
  const form = el('form', { novalidate: true }, message, code.wrapper, submit);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearFieldError(code);
    if (!code.input.value.trim()) {
      showFieldError(code, 'Enter one of your recovery codes.');
      return;
    }
    busy(submit, async () => {
      try {
        const session = await completeLogin(app, () => api.loginWithRecoveryCode(code.input.value));
        if (session) {
          const left = session.user.recoveryCodesRemaining;
          app.notice = 'You logged in with a recovery code. You have ' + left + ' recovery code' + (left === 1 ? '' : 's')
            + ' left' + (left <= 3 ? ': generate new ones below.' : '.');
          app.lostPhone = true;
          app.navigate('/account');
        }
      } catch (error) {
        showFieldError(code, describe(error));
        code.input.select();
      }
    });
  });
  main.append(el('section', { class: 'card' },
    heading('Use a recovery code'),
    el('p', {}, 'Enter one of your recovery codes to log in without your authentication device.'),
    form,
    el('p', {}, el('a', { href: '/login/2fa', 'data-link': true }, 'Use your authentication app instead')),
    supportHint()));
}
