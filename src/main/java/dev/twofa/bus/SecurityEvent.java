package dev.twofa.bus;

import java.util.Map;

/**
 * One entry of a user's activity, as the auth verticle reports it to the audit verticle. {@code eventId} is set
 * on events relayed from auth's outbox, so audit records each of them once however often it is delivered.
 */
public record SecurityEvent(long userId, String type, boolean success, ClientInfo client, String actor,
                            Map<String, String> details, String eventId) {
  public static final String SIGNUP = "signup";
  public static final String LOGIN_PASSWORD = "login.password";
  public static final String LOGIN_TOTP = "login.totp";
  public static final String LOGIN_RECOVERY_CODE = "login.recovery_code";
  /** A login whose password step passed but whose second step never did: too many wrong codes, or expired. */
  public static final String LOGIN_ABANDONED = "login.abandoned";
  /** Details keys that tie the steps of one login together (shown to the user too, unlike support's details). */
  public static final String LOGIN_ID = "loginId";
  public static final String SECOND_FACTOR = "secondFactor";
  public static final String REASON = "reason";
  public static final String FAILURES = "failures";
  public static final String LOGOUT = "logout";
  public static final String TWO_FACTOR_ENABLED = "2fa.enabled";
  public static final String TWO_FACTOR_DISABLED = "2fa.disabled";
  public static final String RECOVERY_CODES_REGENERATED = "recovery_codes.regenerated";
  public static final String PASSWORD_CHANGED = "password.changed";
  public static final String SESSION_REVOKED = "session.revoked";
  public static final String OTHER_SESSIONS_REVOKED = "sessions.revoked_others";
  public static final String STEP_UP = "step_up";
  public static final String TWO_FACTOR_CHANGED = "2fa.changed";
  /** "This wasn't me": every session and pending login ended from a security notice's link. */
  public static final String ACCOUNT_SECURED = "account.secured";
  /**
   * "This wasn't me" turned off a 2FA turned on or changed within TWOFA_SECURE_ACCOUNT_UNDO_HOURS before it: by
   * one of the sessions it ended, perhaps a stranger's, whose authenticator would lock the owner out.
   */
  public static final String TWO_FACTOR_REVERTED = "2fa.reverted";
  /** A new password set through a reset link. */
  public static final String PASSWORD_RESET = "password.reset";
  /** A request to turn off 2FA: made at a login's code step, cancelled by the owner's link, declined by staff. */
  public static final String SUPPORT_REQUESTED = "support.requested";
  public static final String SUPPORT_CANCELLED = "support.cancelled";
  public static final String SUPPORT_DECLINED = "support.declined";
  /** The address proven by the link mailed to it: security notices go to it from now on. */
  public static final String EMAIL_VERIFIED = "email.verified";

  /** Passkeys: added, renamed, removed; a login's second step with one; a signature whose counter went back. */
  /** The anti-phishing phrase set (mails show it at once) or changed (mails show the new one from a time). */
  public static final String PHRASE_SET = "phrase.set";
  public static final String PHRASE_CHANGED = "phrase.changed";
  public static final String PASSKEY_ADDED = "passkey.added";
  public static final String PASSKEY_RENAMED = "passkey.renamed";
  public static final String PASSKEY_REMOVED = "passkey.removed";
  public static final String LOGIN_PASSKEY = "login.passkey";
  /** A login with a passkey alone (user verification: both factors in one step), no password. */
  public static final String LOGIN_PASSKEY_SIGN_IN = "login.passkey_sign_in";
  public static final String PASSKEY_CLONE_SUSPECTED = "passkey.clone_suspected";
  /** Details key: the passkey's name as its owner sees it. */
  public static final String PASSKEY = "passkey";

  /** A code issued to an application for the user ("Logged in to NAME"), and Account's "Remove access" for one. */
  public static final String OIDC_LOGIN = "oidc.login";
  public static final String OIDC_ACCESS_REMOVED = "oidc.access_removed";
  /** "Don't ask for a code on this browser" ticked; a trusted browser removed ("Remove all": one event). */
  public static final String TRUSTED_BROWSER_ADDED = "trusted_browser.added";
  public static final String TRUSTED_BROWSER_REMOVED = "trusted_browser.removed";
  /** Details key: the application's name, shown to the user. */
  public static final String CLIENT = "client";

  /** The browser's device cookie is for auth's eyes only: an event never carries it. */
  public SecurityEvent {
    client = client == null ? null : client.withoutDevice();
  }

  /** An event of the user's own doing. */
  public static SecurityEvent of(long userId, String type, boolean success, ClientInfo client) {
    return new SecurityEvent(userId, type, success, client, null, null, null);
  }
}
