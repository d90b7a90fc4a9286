// Sentences for API errors, in the app's language: the server sends a stable code, the app says what it means.
import { t, formatWait, formatDate } from './i18n.js';

export function describe(error) {
  if (error.code === 'rate_limited') {
    return error.retryAfterSeconds
      ? t('error.rate_limited.wait', { wait: formatWait(error.retryAfterSeconds) })
      : t('error.rate_limited');
  }
  if (error.code === 'recovery_code_used' && error.usedAt) {
    return t('error.recovery_code_used', { date: formatDate(error.usedAt) });
  }
  const key = 'error.' + error.code;
  return t(KNOWN.has(error.code) ? key : 'error.internal');
}

const KNOWN = new Set(['network', 'invalid_request', 'invalid_email', 'weak_password', 'unauthenticated',
  'invalid_credentials', 'invalid_code', 'csrf', 'forbidden', 'not_found', 'user_not_found', 'session_not_found',
  'method_not_allowed', 'email_taken', 'no_pending_login', 'no_pending_setup', 'already_enabled', 'not_enabled',
  'payload_too_large', 'unsupported_media_type', 'internal', 'unavailable', 'overloaded', 'step_up_required',
  'second_factor_required', 'password_reset_required', 'invalid_token', 'support_request_open', 'request_not_open',
  'cooling_off', 'totp_unavailable', 'security_hold', 'invalid_phrase', 'recovery_code_used']);
