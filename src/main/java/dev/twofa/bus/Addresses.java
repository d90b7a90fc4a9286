package dev.twofa.bus;

/** Event-bus addresses: the contract between the HTTP, auth and audit verticles. */
public final class Addresses {
  public static final String AUTH_SIGNUP = "twofa.auth.signup";
  public static final String AUTH_LOGIN_PASSWORD = "twofa.auth.login.password";
  public static final String AUTH_LOGIN_TOTP = "twofa.auth.login.totp";
  public static final String AUTH_LOGIN_RECOVERY = "twofa.auth.login.recovery";
  public static final String AUTH_LOGOUT = "twofa.auth.logout";
  public static final String AUTH_SESSION = "twofa.auth.session";
  public static final String AUTH_PASSWORD_CHANGE = "twofa.auth.password.change";
  public static final String AUTH_TOTP_SETUP = "twofa.auth.totp.setup";
  public static final String AUTH_TOTP_ENABLE = "twofa.auth.totp.enable";
  public static final String AUTH_RECOVERY_CODES_REGENERATE = "twofa.auth.recovery-codes.regenerate";
  public static final String AUTH_SUPPORT_LOOKUP = "twofa.auth.support.lookup";
  public static final String AUTH_SUPPORT_DISABLE_TOTP = "twofa.auth.support.disable-2fa";
  /** Answers when the auth verticle can reach its database at the expected schema version. */
  public static final String AUTH_HEALTH = "twofa.auth.health";

  public static final String AUDIT_RECORD = "twofa.audit.record";
  public static final String AUDIT_ACTIVITY = "twofa.audit.activity";
  public static final String AUDIT_HEALTH = "twofa.audit.health";

  private Addresses() {
  }
}
