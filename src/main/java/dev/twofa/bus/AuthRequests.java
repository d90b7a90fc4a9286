package dev.twofa.bus;

/**
 * What the HTTP layer sends to auth. Every request that acts for someone carries the session cookie's value
 * ({@code sessionToken}, possibly null), never a user id: auth resolves who is asking.
 */
public final class AuthRequests {
  private AuthRequests() {
  }

  /**
   * Sign-up and the password step of a login. The token is the browser's current one, ended on success.
   * {@code authorization}: the OpenID Connect request this login is for (its opaque id), when there is one.
   */
  public record Credentials(String sessionToken, String email, String password, ClientInfo client, String authorization) {
    public Credentials(String sessionToken, String email, String password, ClientInfo client) {
      this(sessionToken, email, password, client, null);
    }
  }

  /**
   * Sign-up; {@code language} (en, ja) is the browser's, for the user's mails, and so is {@code timeZone} (the IANA
   * name the browser reports, unchecked: auth keeps it only when java.time knows it).
   */
  public record Signup(String sessionToken, String email, String password, String language, String timeZone,
                       ClientInfo client) {
  }

  /**
   * A one-time code: the TOTP or recovery step of a login, or the first code that enables 2FA. {@code trustBrowser}:
   * at a login's code step, "Don't ask for a code on this browser" was ticked.
   */
  public record Code(String sessionToken, String code, ClientInfo client, boolean trustBrowser) {
    public Code(String sessionToken, String code, ClientInfo client) {
      this(sessionToken, code, client, false);
    }
  }

  /** The token of an emailed link (verification); needs no session. */
  public record LinkToken(String token, ClientInfo client) {
  }

  /** Operations that need nothing but the session. */
  public record Session(String sessionToken, ClientInfo client) {
  }

  public record PasswordChange(String sessionToken, String currentPassword, String newPassword, ClientInfo client) {
  }

  /**
   * "Confirm it's you": the password, and with 2FA on a TOTP code, a recovery code or {@code passkey} (the JSON of
   * a WebAuthn assertion answering the step-up's passkey options).
   */
  public record StepUp(String sessionToken, String password, String code, String recoveryCode, String passkey,
                       ClientInfo client) {
    /** A step-up with a code, a recovery code or neither. */
    public StepUp(String sessionToken, String password, String code, String recoveryCode, ClientInfo client) {
      this(sessionToken, password, code, recoveryCode, null, client);
    }
  }

  /** A new passkey: the browser's RegistrationResponseJSON ({@code credential}) and an optional name. */
  public record PasskeyRegistration(String sessionToken, String credential, String name, ClientInfo client) {
  }

  /** A WebAuthn assertion (AuthenticationResponseJSON) answering the options given to this session or pending login. */
  public record PasskeyAssertion(String sessionToken, String credential, ClientInfo client, boolean trustBrowser) {
    public PasskeyAssertion(String sessionToken, String credential, ClientInfo client) {
      this(sessionToken, credential, client, false);
    }
  }

  /** Removes one of the account's trusted browsers, named by its opaque id from the list. */
  public record TrustedBrowserRemove(String sessionToken, String id, ClientInfo client) {
  }

  /** Renames one of the session's passkeys, named by its opaque id from the list. */
  public record PasskeyRename(String sessionToken, String id, String name, ClientInfo client) {
  }

  /** Sets or changes the account's anti-phishing phrase; toString hides it. */
  public record PhraseChange(String sessionToken, String phrase, ClientInfo client) {
    @Override
    public String toString() {
      return "PhraseChange[hidden]";
    }
  }

  /** Removes one of the session's passkeys, named by its opaque id from the list. */
  public record PasskeyRemove(String sessionToken, String id, ClientInfo client) {
  }

  /** A page of the session's own Activity, newest first, before the cursor {@code before} (null: newest). */
  public record Activity(String sessionToken, int limit, Long before) {
  }

  /** The signed-in user's Activity as a file: {@code format} "csv" or "json". */
  public record ActivityDownload(String sessionToken, String format) {
  }

  /** Ends one of the user's sessions, named by the opaque id from the sessions list. */
  public record RevokeSession(String sessionToken, String id, ClientInfo client) {
  }

  public record SupportLookup(String sessionToken, String email) {
  }

  /**
   * {@code requestId}, when given, names the open request the staff member acts on (it must still be open);
   * {@code override}, a note, lets them act before the request's cooling-off has passed.
   */
  public record SupportDisable(String sessionToken, String email, String reason, String verification, ClientInfo client,
                               String requestId, String override) {
  }

  /** The support desk removes one passkey ({@code passkeyId} from its lookup), under the guards of SupportDisable. */
  public record SupportPasskeyRemove(String sessionToken, String email, String passkeyId, String reason,
                                     String verification, ClientInfo client, String requestId, String override) {
  }

  /** A pending login asks the support desk to turn 2FA off: reason code, how to reach them, an optional message. */
  public record SupportRequest(String sessionToken, String reason, String contact, String message, ClientInfo client) {
  }

  /** The desk's list of requests with {@code status} (open, done, declined, cancelled). */
  public record SupportRequestList(String sessionToken, String status) {
  }

  /** Declines an open request; {@code reason} is mailed to the account's owner. */
  public record SupportDecline(String sessionToken, String id, String reason, ClientInfo client) {
  }

  /** "Forgot password?": the address to mail a reset link to, if an account has it; needs no session. */
  public record PasswordResetRequest(String email, ClientInfo client) {
  }

  /** The token of a reset link and the new password; needs no session (and opens none). */
  public record PasswordReset(String token, String newPassword, ClientInfo client) {
    @Override
    public String toString() {
      return "PasswordReset[client=" + client + "]";
    }
  }
}
