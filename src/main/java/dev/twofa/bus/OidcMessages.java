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

  /** The login screen asks whom it logs in to. */
  public record AuthorizationLookup(String authorization) {
  }

  /** The application a pending authorization is for, and whether the user must log in again even if logged in. */
  public record AuthorizationView(String clientName, boolean loginRequired) {
  }

  /**
   * Where an authorization request goes next: exactly one of {@code redirect} (to the application, with a code or
   * an error), {@code authorization} (the login screens, with the pending authorization's id) or {@code errorPage}
   * (an error code shown to the user, never a redirect: unknown client or redirect URI).
   */
  public record AuthorizeOutcome(String redirect, String authorization, String errorPage) {
    public static AuthorizeOutcome redirectTo(String location) {
      return new AuthorizeOutcome(location, null, null);
    }

    public static AuthorizeOutcome login(String authorization) {
      return new AuthorizeOutcome(null, authorization, null);
    }

    public static AuthorizeOutcome error(String code) {
      return new AuthorizeOutcome(null, null, code);
    }
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
}
