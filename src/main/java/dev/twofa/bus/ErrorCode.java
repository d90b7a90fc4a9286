package dev.twofa.bus;

/** Every failure a request can meet, with the HTTP status it maps to and a sentence for a person. */
public enum ErrorCode {
  INVALID_REQUEST(400, "The request is malformed or misses a required field."),
  INVALID_EMAIL(400, "Enter a valid email address."),
  WEAK_PASSWORD(400, "Choose a stronger password."),
  INVALID_TOKEN(400, "This link is not valid: it was used already, replaced by a newer one, or it expired."),
  UNAUTHENTICATED(401, "Log in to continue."),
  INVALID_CREDENTIALS(401, "The email address or password is incorrect."),
  INVALID_CODE(401, "That code is not valid. Check it and try again."),
  /** A recovery code of the current set that was spent before (usedAt says when); it counts like a wrong code. */
  RECOVERY_CODE_USED(401, "This code was used already. Each code works once."),
  SECOND_FACTOR_REQUIRED(401, "Enter the code from your authenticator app, or a recovery code."),
  /** The right password of an account secured by "This wasn't me": only a mailed reset link opens it again. */
  PASSWORD_RESET_REQUIRED(401, "For your security, set a new password: we emailed you a link."),
  CSRF(403, "The page is out of date. Reload it and try again."),
  FORBIDDEN(403, "You are not allowed to do this."),
  CROSS_SITE(403, "This request came from another site. Open this site's own page and try again."),
  STEP_UP_REQUIRED(403, "Confirm it's you: enter your password (and your 2FA code) again."),
  TWO_FACTOR_REQUIRED(403, "Two-factor authentication is required for this account: turn it on first (POST /api/2fa/setup, then /api/2fa/enable)."),
  NOT_FOUND(404, "There is nothing here."),
  USER_NOT_FOUND(404, "No account has this email address."),
  SESSION_NOT_FOUND(404, "That session has already ended."),
  METHOD_NOT_ALLOWED(405, "This method is not allowed here."),
  EMAIL_TAKEN(409, "An account with this email address already exists."),
  NO_PENDING_LOGIN(409, "Your login has expired. Enter your email address and password again."),
  NO_PENDING_SETUP(409, "Start the 2FA setup again to get a new key."),
  ALREADY_ENABLED(409, "2FA is already on for this account."),
  NOT_ENABLED(409, "2FA is not on for this account."),
  INVALID_PHRASE(400, "Choose a phrase of 4 to 20 characters, on one line."),
  PASSKEY_REFUSED(400, "The passkey could not be checked. Try again."),
  PASSKEY_EXISTS(409, "This passkey is already registered."),
  /** A right signature whose authenticator did not check its owner (no UV flag): a second factor only. */
  PASSKEY_USER_NOT_VERIFIED(401, "This passkey did not ask for your device's PIN or fingerprint. Log in with your password, then use it."),
  PAYLOAD_TOO_LARGE(413, "The request is too large."),
  UNSUPPORTED_MEDIA_TYPE(415, "Send the request as application/json."),
  RATE_LIMITED(429, "Too many attempts. Wait before trying again."),
  INTERNAL(500, "Something went wrong on our side. Try again."),
  UNAVAILABLE(503, "The service is briefly unavailable. Try again in a moment."),
  OVERLOADED(503, "Many people are logging in right now. Try again in a moment."),
  TOTP_UNAVAILABLE(503, "Codes from your authenticator app cannot be checked right now. Try again later, or use a recovery code."),
  SUPPORT_REQUEST_OPEN(409, "A request to turn off 2FA is already open for this account."),
  REQUEST_NOT_OPEN(409, "This request is no longer open: it was completed, declined or cancelled."),
  /** Turning 2FA off, new recovery codes or a new phrase, while the account's security hold lasts. */
  SECURITY_HOLD(409, "Sensitive changes are paused on this account for a while after a recent security change. Try again later."),
  COOLING_OFF(409, "The request is still in its waiting period, when its owner may cancel it. Wait, or override with a note.");

  private final int status;
  private final String message;

  ErrorCode(int status, String message) {
    this.status = status;
    this.message = message;
  }

  public int status() {
    return status;
  }

  public String message() {
    return message;
  }

  /** The wire name, e.g. {@code invalid_code}. */
  public String code() {
    return name().toLowerCase();
  }

  public static ErrorCode fromCode(String code) {
    for (ErrorCode c : values()) {
      if (c.code().equals(code)) {
        return c;
      }
    }
    return INTERNAL;
  }
}
