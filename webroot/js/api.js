// The JSON API client: same-origin cookies, the CSRF header on every write, errors as ApiError values.

export class ApiError extends Error {
  constructor(status, code, message, retryAfterSeconds) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

// Over https the server names the cookie __Host-XSRF-TOKEN (Secure, host-only); over http, XSRF-TOKEN.
function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)__Host-XSRF-TOKEN=([^;]+)/)
    || document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : null;
}

// Called with the request ({path, body}) when the server asks for a fresh proof of identity (403
// step_up_required); resolves true when given.
let stepUpHandler = null;

/** Registers what asks the person to confirm it's them; the app shell sets it once. */
export function onStepUpRequired(handler) {
  stepUpHandler = handler;
}

// Called with the API error when a call answers 401 unauthenticated (the session ended, e.g. idle timeout).
let unauthenticatedHandler = null;

/** Registers what takes an ended session back to Log in; the app shell sets it once. */
export function onUnauthenticated(handler) {
  unauthenticatedHandler = handler;
}

// Called when a call answers 403 two_factor_required (the account must turn on a required 2FA first).
let twoFactorRequiredHandler = null;

/** Registers what takes a held account to the 2FA set-up; the app shell sets it once. */
export function onTwoFactorRequired(handler) {
  twoFactorRequiredHandler = handler;
}

async function request(method, path, body, retried = false) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') {
    if (!csrfToken()) {
      await fetch('/api/session', { credentials: 'same-origin' });
    }
    headers['X-XSRF-TOKEN'] = csrfToken() || '';
  }
  if (method !== 'GET') {
    // Every write is JSON, a body or none: the server refuses other types (415), so no HTML form can post.
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'network', 'network');
  }
  if (response.status === 204) {
    return null;
  }
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = null;
  }
  if (response.status === 403 && json && json.error === 'step_up_required' && stepUpHandler && !retried) {
    if (await stepUpHandler({ path, body })) {
      return request(method, path, body, true);
    }
  }
  if (!response.ok) {
    const retry = json && json.retryAfterSeconds ? json.retryAfterSeconds : Number(response.headers.get('Retry-After')) || null;
    // The server's message is English and for developers; the app shows its own sentence for the code.
    const error = new ApiError(response.status, json && json.error ? json.error : 'internal',
      json && json.message ? json.message : '', retry);
    if (json && json.usedAt) error.usedAt = json.usedAt;
    if (response.status === 401 && error.code === 'unauthenticated' && unauthenticatedHandler) {
      unauthenticatedHandler(error);
    }
    if (response.status === 403 && error.code === 'two_factor_required' && twoFactorRequiredHandler) {
      twoFactorRequiredHandler(error);
    }
    throw error;
  }
  return json;
}

export const api = {
  config: () => request('GET', '/api/config'),
  session: () => request('GET', '/api/session'),
  // The application an OpenID Connect login is for ("Log in to NAME").
  authorization: (id) => request('GET', '/api/authorizations/' + encodeURIComponent(id)),
  consent: (id, allow) => request('POST', '/api/authorizations/' + encodeURIComponent(id) + '/consent', { allow }),
  signup: (email, password) => request('POST', '/api/signup', { email, password, timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone }),
  login: (email, password, authorization) => request('POST', '/api/login', { email, password, authorization }),
  loginWithTotp: (code, trustBrowser) => request('POST', '/api/login/totp', { code, trustBrowser }),
  loginWithRecoveryCode: (code) => request('POST', '/api/login/recovery', { code }),
  holdLoginForSupport: () => request('POST', '/api/login/support-form'),
  logout: () => request('POST', '/api/logout'),
  account: () => request('GET', '/api/account'),
  verifyEmail: (token) => request('POST', '/api/email/verify', { token }),
  sendEmailVerification: () => request('POST', '/api/email/verification'),
  changePassword: (currentPassword, newPassword) =>
    request('POST', '/api/account/password', { currentPassword, newPassword }),
  activity: (before) => request('GET', '/api/account/activity?limit=20' + (before ? '&before=' + encodeURIComponent(before) : '')),
  sessions: () => request('GET', '/api/account/sessions'),
  revokeSession: (id) => request('POST', '/api/account/sessions/revoke', { id }),
  revokeOtherSessions: () => request('POST', '/api/account/sessions/revoke-others'),
  apps: () => request('GET', '/api/account/apps'),
  removeApp: (clientId) => request('POST', '/api/account/apps/remove', { clientId }),
  setupTotp: () => request('POST', '/api/2fa/setup'),
  enableTotp: (code) => request('POST', '/api/2fa/enable', { code }),
  regenerateRecoveryCodes: () => request('POST', '/api/2fa/recovery-codes'),
  checkup: () => request('GET', '/api/2fa/checkup'),
  confirmCheckup: (code) => request('POST', '/api/2fa/checkup', { code }),
  dismissCheckup: () => request('POST', '/api/2fa/checkup/dismiss'),
  changeTotpStart: () => request('POST', '/api/2fa/change/start'),
  changeTotpConfirm: (code) => request('POST', '/api/2fa/change/confirm', { code }),
  stepUp: (password, code, recoveryCode, passkey) => request('POST', '/api/step-up', { password, code, recoveryCode, passkey }),
  stepUpPasskeyOptions: () => request('POST', '/api/step-up/passkey/options'),
  passkeys: () => request('GET', '/api/passkeys'),
  passkeyOptions: () => request('POST', '/api/passkeys/options'),
  addPasskey: (credential, name) => request('POST', '/api/passkeys', { credential, name }),
  renamePasskey: (id, name) => request('POST', '/api/passkeys/rename', { id, name }),
  removePasskey: (id) => request('POST', '/api/passkeys/remove', { id }),
  loginPasskeyOptions: () => request('POST', '/api/login/passkey/options'),
  loginWithPasskey: (credential, trustBrowser) => request('POST', '/api/login/passkey', { credential, trustBrowser }),
  trustedBrowsers: () => request('GET', '/api/trusted-browsers'),
  twoFactorRequirement: () => request('GET', '/api/account/two-factor-requirement'),
  removeTrustedBrowser: (id) => request('POST', '/api/trusted-browsers/remove', { id }),
  removeAllTrustedBrowsers: () => request('POST', '/api/trusted-browsers/remove-all'),
  passkeySignInOptions: () => request('POST', '/api/login/passkey-sign-in/options'),
  passkeySignIn: (credential) => request('POST', '/api/login/passkey-sign-in', { credential }),
  requestPasswordReset: (email) => request('POST', '/api/password-reset', { email }),
  completePasswordReset: (token, newPassword) => request('POST', '/api/password-reset/complete', { token, newPassword }),
  secureAccount: (token) => request('POST', '/api/secure-account', { token }),
  supportLookup: (email) => request('GET', '/api/support/users?email=' + encodeURIComponent(email)),
  supportDisableTotp: (email, reason, verification, requestId, override) =>
    request('POST', '/api/support/users/disable-2fa', { email, reason, verification, requestId, override }),
  supportRemovePasskey: (email, passkeyId, reason, verification, requestId, override) =>
    request('POST', '/api/support/users/remove-passkey', { email, passkeyId, reason, verification, requestId, override }),
  askSupport: (reason, contact, message) => request('POST', '/api/support/requests', { reason, contact, message }),
  cancelSupportRequest: (token) => request('POST', '/api/support/requests/cancel', { token }),
  supportRequests: (status) => request('GET', '/api/support/requests?status=' + encodeURIComponent(status)),
  declineSupportRequest: (id, reason) => request('POST', '/api/support/requests/decline', { id, reason }),
  phrase: () => request('GET', '/api/account/phrase'),
  setPhrase: (phrase) => request('POST', '/api/account/phrase', { phrase }),
};
