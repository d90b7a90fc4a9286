package dev.twofa.bus;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/**
 * What auth answers. A reply that changes who the browser is carries {@code sessionToken}: the new value of
 * the session cookie, which the HTTP layer sets and never shows in a body.
 */
public final class AuthReplies {
  private AuthReplies() {
  }

  /**
   * The public User document; {@code twoFactorEnabled}: an authenticator app ({@code authenticatorApp}) or at least
   * one passkey ({@code passkeys}); {@code twoFactorEnabledAt} is when the current authenticator app was added.
   */
  public record User(String email, boolean twoFactorEnabled, int recoveryCodesRemaining, String createdAt, boolean support,
                     String twoFactorEnabledAt, boolean emailVerified, boolean authenticatorApp, int passkeys,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String securityHoldUntil,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String timeZone,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Boolean phraseSet,
                     @JsonInclude(JsonInclude.Include.NON_NULL) String phraseChangesAt) {
  }

  /** The anti-phishing phrase, after a step-up: the one mails show now, and a changed one with when it takes effect. */
  public record PhraseView(String phrase, @JsonInclude(JsonInclude.Include.NON_NULL) String pendingPhrase,
                           @JsonInclude(JsonInclude.Include.NON_NULL) String changesAt) {
    @Override
    public String toString() {
      return "PhraseView[hidden]";
    }
  }

  /**
   * The login state of a session: {@code anonymous}, {@code pending_2fa} with what the code step allows, or
   * {@code authenticated} with its user.
   */
  public record SessionState(String state, User user, @JsonInclude(JsonInclude.Include.NON_NULL) Pending pending) {
    public static final SessionState ANONYMOUS = new SessionState("anonymous", null, null);
    public static final String PENDING_2FA = "pending_2fa";

    public static SessionState authenticated(User user) {
      return new SessionState("authenticated", user, null);
    }

    public static SessionState pending(Pending pending) {
      return new SessionState(PENDING_2FA, null, pending);
    }
  }

  /**
   * A login waiting for its second factor: when it ends ({@code secondsLeft} too, so a browser whose clock is off
   * still counts down right), how many wrong codes it still allows, and whose login it is.
   */
  public record Pending(String expiresAt, long secondsLeft, int triesLeft, String email) {
  }

  /** A login step's outcome, with the cookie value of the session (or pending login) it opened. */
  public record LoginOutcome(SessionState session, String sessionToken) {
  }

  public record TotpKey(String secret, String otpauthUri) {
  }

  /** The first recovery codes, shown once, and the user now with 2FA on. */
  public record Enrollment(List<String> recoveryCodes, User user) {
  }

  /** Enabling 2FA opens a new two-factor session in place of the current one. */
  public record EnrollmentOutcome(Enrollment enrollment, String sessionToken) {
  }

  public record NewRecoveryCodes(List<String> recoveryCodes) {
  }

  /** One place the user is logged in; {@code id} is an opaque handle, never the cookie's value. */
  @JsonIgnoreProperties(value = "browser", allowGetters = true)
  public record SessionInfo(String id, boolean current, String createdAt, String lastSeenAt, String ip, String userAgent,
                            boolean secondFactor) {
    /** The browser and system the User-Agent names: what the sessions list shows ({@link Browser}). */
    @JsonProperty("browser")
    public Browser browser() {
      return Browser.of(userAgent);
    }
  }

  public record Sessions(List<SessionInfo> sessions) {
  }

  /** A looked-up user, with the account's open request to turn off 2FA ({@code request}, else null). */
  public record SupportView(User user, List<ActivityEvent> activity, SupportRequestView request, List<PasskeyView> passkeys) {
  }

  /** A request was taken: support acts on it only after {@code replyAfter} (the owner may cancel it until then). */
  public record SupportRequestReceived(String createdAt, String replyAfter, long coolingOffHours) {
  }

  /**
   * A request to turn off 2FA as the desk sees it. {@code ageSeconds} and {@code coolingOffSecondsLeft} are the
   * server's count, so a browser whose clock is off still shows them right; {@code closedAt}, {@code closedBy}
   * and {@code declineReason} are null while it is open.
   */
  public record SupportRequestView(String id, String email, String reason, String contact, String message, String status,
                                   String createdAt, long ageSeconds, String coolingOffEndsAt, long coolingOffSecondsLeft,
                                   String closedAt, String closedBy, String declineReason) {
  }

  public record SupportRequests(List<SupportRequestView> requests) {
  }

  /** An answer that is the user after a change (support desk, new authenticator app). */
  public record UserResult(User user) {
  }

  /** The authenticator app was replaced: every other session ended, this one continues under a new cookie value. */
  public record AuthenticatorChanged(UserResult result, String sessionToken) {
  }

  /** WebAuthn options as JSON text (PublicKeyCredentialCreationOptionsJSON or ...RequestOptionsJSON); null: none to offer. */
  public record PasskeyOptions(String publicKey) {
  }

  /** One passkey as its owner sees it; {@code lastUsedAt} is null until it is first used. */
  public record PasskeyView(String id, String name, String createdAt, String lastUsedAt) {
  }

  public record Passkeys(List<PasskeyView> passkeys) {
  }

  /**
   * A browser that skips the code step of the account's logins until {@code expiresAt}: trusted at
   * {@code createdAt}, last used at {@code lastUsedAt} from {@code ip}; {@code current}: the browser asking.
   */
  @JsonIgnoreProperties(value = "browser", allowGetters = true)
  public record TrustedBrowserView(String id, boolean current, String createdAt, String lastUsedAt, String expiresAt,
                                   String ip, String userAgent) {
    /** The browser and system the User-Agent names ({@link Browser}). */
    @JsonProperty("browser")
    public Browser browser() {
      return Browser.of(userAgent);
    }
  }

  public record TrustedBrowsers(List<TrustedBrowserView> trustedBrowsers) {
  }

  /**
   * TWOFA_REQUIRE_2FA as it stands for the session's account: {@code required} while the rule applies (in scope,
   * no 2FA yet), with the grace period's end, the whole days left, and {@code held} once it is over.
   */
  public record TwoFactorRequired(boolean required, @JsonInclude(JsonInclude.Include.NON_NULL) String dueAt, int daysLeft,
                                  boolean held) {
    public static final TwoFactorRequired NOT_REQUIRED = new TwoFactorRequired(false, null, 0, false);
  }

  /**
   * A passkey was added; {@code recoveryCodes} (shown once) when it was the account's first second factor, else
   * null; {@code user} as it is now.
   */
  public record PasskeyAdded(List<PasskeyView> passkeys, @JsonInclude(JsonInclude.Include.NON_NULL) List<String> recoveryCodes,
                             User user) {
  }

  /** A file to download: its name, media type and content (bounded: see ActivityFiles). */
  public record ActivityFile(String fileName, String contentType, String content) {
  }

  /** Whether Account asks for the 2FA check-up now. */
  public record Checkup(boolean due) {
  }
}
