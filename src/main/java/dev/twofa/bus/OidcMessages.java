package dev.twofa.bus;

import java.util.Map;

/**
 * The OpenID Connect provider's part of the contract. The HTTP layer forwards the protocol's raw input (the
 * query, the form body, the Authorization header) and writes back what auth answers; every decision and every
 * signature is auth's.
 */
public final class OidcMessages {
  private OidcMessages() {
  }

  /** {@code GET /authorize}: the raw query string and the browser's session cookie. */
  public record Authorize(String sessionToken, String query, ClientInfo client) {
  }

  /** Back from the login screens: the pending authorization's opaque id. */
  public record Resume(String sessionToken, String authorization, ClientInfo client) {
  }

  /** The login screen asks whom it logs in to (and, with the browser's session, whether it must log in again). */
  public record AuthorizationLookup(String authorization, String sessionToken) {
    public AuthorizationLookup(String authorization) {
      this(authorization, null);
    }
  }

  /**
   * The application a pending authorization is for, whether the user must log in again even if logged in, and the
   * scopes it asks for (what the consent screen lists).
   */
  public record AuthorizationView(String clientName, boolean loginRequired, java.util.List<String> scopes) {
  }

  /** The consent screen's answer: Allow ({@code allow} true) or Deny. */
  public record Consent(String sessionToken, String authorization, boolean allow, ClientInfo client) {
  }

  /**
   * Where an authorization request goes next: exactly one of {@code redirect} (to the application, with a code or
   * an error), {@code authorization} (the pending authorization's id, for the {@code screen} "login", "consent"
   * or "second_factor") or {@code errorPage} (an error code shown to the user, never a redirect: unknown client or
   * redirect URI).
   */
  public record AuthorizeOutcome(String redirect, String authorization, String screen, String errorPage) {
    public static final String LOGIN = "login";
    public static final String CONSENT = "consent";
    public static final String ENROL = "enrol";
    /** A session of one factor asked for two (acr_values=2): the user turns 2FA on first. */
    public static final String SECOND_FACTOR = "second_factor";

    public static AuthorizeOutcome redirectTo(String location) {
      return new AuthorizeOutcome(location, null, null, null);
    }

    public static AuthorizeOutcome login(String authorization) {
      return new AuthorizeOutcome(null, authorization, LOGIN, null);
    }

    public static AuthorizeOutcome consent(String authorization) {
      return new AuthorizeOutcome(null, authorization, CONSENT, null);
    }

    /** The account must turn on a required 2FA before the request goes on (TWOFA_REQUIRE_2FA). */
    public static AuthorizeOutcome enrol(String authorization) {
      return new AuthorizeOutcome(null, authorization, ENROL, null);
    }

    /** A session of one factor asked for two (acr_values=2): the user turns 2FA on first. */
    public static AuthorizeOutcome secondFactor(String authorization) {
      return new AuthorizeOutcome(null, authorization, SECOND_FACTOR, null);
    }

    public static AuthorizeOutcome error(String code) {
      return new AuthorizeOutcome(null, null, null, code);
    }
  }

  /** An application the user logged in to, as Account lists it; {@code lastUsedAt} is an ISO-8601 instant. */
  public record AppView(String clientId, String name, String lastUsedAt) {
  }

  /** Account › Apps you've logged in to, the most recently used first. */
  public record Apps(java.util.List<AppView> apps) {
  }

  /** "Remove access" for the application {@code clientId}. */
  public record AppRemove(String sessionToken, String clientId, ClientInfo client) {
  }

  /** A protocol request as it arrived: the form body and the Authorization header (token, userinfo). */
  public record ProtocolRequest(String method, String contentType, String body, String authorization) {
    @Override
    public String toString() {
      return "ProtocolRequest[" + method + "]";
    }
  }

  /** A protocol answer as the specification shapes it (status, headers, JSON body), built by auth with Nimbus. */
  public record ProtocolAnswer(int status, Map<String, String> headers, String body) {
    @Override
    public String toString() {
      return "ProtocolAnswer[" + status + "]";
    }
  }

  /**
   * RP-initiated logout ({@code GET} or {@code POST /end-session}): the browser's session cookie and the request as
   * it came (the query of a GET, the form body of a POST).
   */
  public record EndSession(String sessionToken, ProtocolRequest request, String query, ClientInfo client) {
  }

  /** The answer to "Log out?" for the waiting logout {@code logout}: Yes ({@code confirm} true) or No. */
  public record EndSessionConfirm(String sessionToken, String logout, boolean confirm, ClientInfo client) {
  }

  /**
   * Where a logout goes next: exactly one of {@code redirect} (to the application's registered post-logout URI,
   * with its state), {@code screen} ("confirm": ask "Log out?" for the waiting logout {@code logout}; "logged_out":
   * say so) or {@code errorPage} (an error code, never a redirect). {@code language} is the page's language when
   * the application asked for one ({@code ui_locales}), else null; {@code ended} says the browser's session
   * ended (its cookie can go); {@code formTarget} is where the confirmation form may lead (the redirect's origin).
   */
  public record EndSessionOutcome(String redirect, String screen, String logout, String errorPage, String language,
                                  boolean ended, String formTarget) {
    public static final String CONFIRM = "confirm";
    public static final String LOGGED_OUT = "logged_out";

    public static EndSessionOutcome redirectTo(String location, boolean ended) {
      return new EndSessionOutcome(location, null, null, null, null, ended, null);
    }

    public static EndSessionOutcome loggedOut(String language, boolean ended) {
      return new EndSessionOutcome(null, LOGGED_OUT, null, null, language, ended, null);
    }

    public static EndSessionOutcome confirm(String logout, String language, String formTarget) {
      return new EndSessionOutcome(null, CONFIRM, logout, null, language, false, formTarget);
    }

    public static EndSessionOutcome error(String code, String language) {
      return new EndSessionOutcome(null, null, null, code, language, false, null);
    }
  }
}
