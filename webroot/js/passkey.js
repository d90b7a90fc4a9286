// The browser's own WebAuthn API (navigator.credentials): options come from the server as JSON and responses go
// back as JSON; the server (webauthn4j) parses and verifies them. No client library.
import { api } from './api.js';
import { t } from './i18n.js';
import { el, busy, formMessage, showMessage } from './ui.js';
import { describe } from './messages.js';

export function passkeysSupported() {
  return typeof window.PublicKeyCredential === 'function' && Boolean(navigator.credentials);
}

const fromB64url = (text) => {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4)), (c) => c.charCodeAt(0));
};
const toB64url = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)))
  .replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

// parseCreationOptionsFromJSON / toJSON() where the browser has them (Chrome 129+, Safari 18, Firefox 119);
// the same conversion by hand elsewhere.
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: fromB64url(json.challenge), user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })) };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: fromB64url(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: fromB64url(c.id) })) };
}

function toJSON(credential) {
  if (typeof credential.toJSON === 'function') return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment || undefined,
    clientExtensionResults: credential.getClientExtensionResults() };
}

/** Creates a passkey for the server's creation options; its JSON for POST /api/passkeys. */
export async function createPasskey(publicKey) {
  return toJSON(await navigator.credentials.create({ publicKey: creationOptions(publicKey) }));
}

/** Signs the server's request options with one of the account's passkeys; its JSON for the server. */
export async function usePasskey(publicKey) {
  return toJSON(await navigator.credentials.get({ publicKey: requestOptions(publicKey) }));
}

/** The words for a passkey the browser did not give (cancelled, timed out, none for this site). */
export function passkeyProblem(error) {
  return t(error && error.name === 'InvalidStateError' ? 'passkey.exists' : 'passkey.cancelled');
}

/**
 * "Use a passkey" on a login's code step, shown (first) only when the account has one: asks the server for
 * options, lets the browser sign, and hands the assertion to {@code complete}.
 */
export function passkeyLoginButton(onAvailable, complete) {
  const button = el('button', { type: 'button', class: 'primary passkey-button', hidden: true }, t('passkey.use'));
  if (!passkeysSupported()) return button;
  api.loginPasskeyOptions().then((options) => {
    if (!options || !options.publicKey) return;
    button.hidden = false;
    onAvailable();
  }).catch(() => null);
  button.addEventListener('click', () => complete(button, async () => {
    const { publicKey } = await api.loginPasskeyOptions();
    return usePasskey(publicKey);
  }));
  return button;
}

/** A login with a passkey alone: options for this browser, the browser's passkey, the session it opens. */
async function signInWithPasskey(signal) {
  const { publicKey } = await api.passkeySignInOptions();
  const options = { publicKey: requestOptions(publicKey) };
  if (signal) Object.assign(options, { mediation: 'conditional', signal });
  return api.passkeySignIn(toJSON(await navigator.credentials.get(options)));
}

/**
 * "Log in with a passkey" on the login screen, and the same offered among the email field's suggestions where the
 * browser can (conditional mediation; the field says autocomplete="username webauthn"). {@code done} gets the
 * session. The waiting suggestion is withdrawn when the button is used and when the screen is left. Null where
 * the browser has no passkeys.
 */
export function passkeySignIn(app, done) {
  if (!passkeysSupported()) return null;
  const message = formMessage();
  const button = el('button', { type: 'button', class: 'secondary passkey-sign-in' }, t('login.withPasskey'));
  let autofill = null;
  const stopAutofill = () => {
    if (autofill) autofill.abort();
    autofill = null;
  };
  app.onLeave(stopAutofill);
  const refused = (error) => showMessage(message, error && error.code ? describe(error) : passkeyProblem(error));
  button.addEventListener('click', () => {
    stopAutofill();
    message.hidden = true;
    busy(button, async () => {
      try {
        done(await signInWithPasskey(null));
      } catch (error) {
        refused(error);
      }
    });
  });
  if (typeof PublicKeyCredential.isConditionalMediationAvailable === 'function') {
    PublicKeyCredential.isConditionalMediationAvailable().then((available) => {
      if (!available || !button.isConnected) return;
      autofill = new AbortController();
      const { signal } = autofill;
      signInWithPasskey(signal).then(done, (error) => {
        if (!signal.aborted) refused(error);
      });
    }).catch(() => null);
  }
  return { button, message, stopAutofill };
}
