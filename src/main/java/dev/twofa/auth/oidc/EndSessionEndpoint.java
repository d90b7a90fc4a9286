package dev.twofa.auth.oidc;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.langtag.LangTag;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.LogoutRequest;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.session.SignedIn;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.OidcMessages.EndSessionConfirm;
import dev.twofa.bus.OidcMessages.EndSessionOutcome;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0). The request is checked first: an id_token_hint must
 * be an ID token this provider signed (expired or not), a client_id must agree with it, and a
 * post_logout_redirect_uri must be registered exactly for that client; otherwise an error page and no redirect.
 * Then a browser whose session the hint names is logged out at once; any other logged-in browser is asked "Log out?"
 * first (a page on another site must not be able to log a user out by sending them here). Afterwards the user goes
 * to the registered URI with the state, or sees that they are logged out.
 */
final class EndSessionEndpoint {
  /** How long "Log out?" may wait for its answer. */
  static final Duration CONFIRM_WAIT = Duration.ofMinutes(15);
  /** Where "No" leads: the user's account, still logged in. */
  static final String STAY = "/account";
  private static final List<String> LANGUAGES = List.of("en", "ja");
  private final Pool pool;
  private final ClientRepository clients;
  private final LogoutRepository logouts;
  private final SigningKeys keys;
  private final SessionService sessions;
  private final Issuer issuer;
  private final Runnable sessionEnded;
  private final Clock clock;

  /** {@code sessionEnded} runs once this endpoint ended a session: its back-channel logouts go out at once. */
  EndSessionEndpoint(Pool pool, ClientRepository clients, LogoutRepository logouts, SigningKeys keys,
                     SessionService sessions, Issuer issuer, Runnable sessionEnded, Clock clock) {
    this.sessionEnded = sessionEnded;
    this.pool = pool;
    this.clients = clients;
    this.logouts = logouts;
    this.keys = keys;
    this.sessions = sessions;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** {@code GET} or {@code POST /end-session} with its parameters as they came. */
  Future<EndSessionOutcome> request(String sessionToken, Map<String, List<String>> params, ClientInfo client) {
    LogoutRequest logout;
    try {
      if (params.values().stream().anyMatch(values -> values.size() > 1)) {
        return error("invalid_logout_request", null);
      }
      logout = LogoutRequest.parse(params);
    } catch (ParseException | RuntimeException e) {
      return error("invalid_logout_request", null);
    }
    String language = language(logout.getUILocales());
    Optional<JWTClaimsSet> hint = Optional.empty();
    if (logout.getIDTokenHint() != null) {
      hint = keys.signedHere(logout.getIDTokenHint().serialize()).filter(claims -> issuer.getValue().equals(claims.getIssuer()));
      if (hint.isEmpty()) {
        return error("invalid_id_token_hint", language);
      }
    }
    String clientId = logout.getClientID() != null ? logout.getClientID().getValue()
      : hint.map(claims -> claims.getAudience().isEmpty() ? null : claims.getAudience().get(0)).orElse(null);
    if (hint.isPresent() && clientId != null && !hint.get().getAudience().contains(clientId)) {
      return error("invalid_id_token_hint", language);
    }
    String redirect = logout.getPostLogoutRedirectionURI() == null ? null : logout.getPostLogoutRedirectionURI().toString();
    String state = logout.getState() == null ? null : logout.getState().getValue();
    Optional<String> sid = hint.map(claims -> claims.getClaim("sid")).map(Object::toString);
    return (clientId == null ? Future.succeededFuture(Optional.<OidcClient>empty()) : clients.find(pool, clientId))
      .compose(registered -> {
        if (clientId != null && registered.isEmpty()) {
          return error("unknown_client", language);
        }
        if (redirect != null && registered.map(c -> !c.registeredAfterLogout(redirect)).orElse(true)) {
          return error("invalid_post_logout_redirect_uri", language);
        }
        return signedIn(sessionToken).compose(session -> {
          if (session.isEmpty()) {
            return Future.succeededFuture(finish(redirect, state, language, false));
          }
          if (sid.isPresent() && sid.get().equals(session.get().handle().toString())) {
            return logOut(sessionToken, client).map(ended -> finish(redirect, state, language, true));
          }
          LogoutRepository.Waiting waiting = new LogoutRepository.Waiting(SessionTokens.newToken(), session.get().handle(),
            registered.map(OidcClient::clientId).orElse(null), redirect, state, language);
          return logouts.save(pool, waiting, clock.instant().plus(CONFIRM_WAIT))
            .map(saved -> EndSessionOutcome.confirm(waiting.id(), language, redirect == null ? null : origin(redirect)));
        });
      });
  }

  /**
   * The answer to "Log out?": Yes ends the session of the browser that was asked (only that one: the waiting logout
   * names it), then goes on as the application asked; No goes to the account, still logged in.
   */
  Future<EndSessionOutcome> confirm(EndSessionConfirm answer) {
    return logouts.take(pool, answer.logout() == null ? "" : answer.logout(), clock.instant()).compose(found -> {
      if (found.isEmpty()) {
        return error("logout_expired", null);
      }
      LogoutRepository.Waiting waiting = found.get();
      if (!answer.confirm()) {
        return Future.succeededFuture(EndSessionOutcome.redirectTo(STAY, false));
      }
      return signedIn(answer.sessionToken()).compose(session -> session.map(SignedIn::handle).filter(waiting.sessionHandle()::equals).isPresent()
          ? logOut(answer.sessionToken(), answer.client()).map(true)
          : Future.succeededFuture(false))
        .map(ended -> finish(waiting.redirectUri(), waiting.state(), waiting.language(), ended));
    });
  }

  /** Ends the browser's session as its "Log out" does (recorded in Activity), and sends its back-channel logouts. */
  private Future<Void> logOut(String sessionToken, ClientInfo client) {
    return sessions.logout(new Session(sessionToken, client)).onSuccess(ended -> sessionEnded.run());
  }

  /** To the registered URI with the application's state, or the "You are logged out" page. */
  private static EndSessionOutcome finish(String redirect, String state, String language, boolean ended) {
    if (redirect == null) {
      return EndSessionOutcome.loggedOut(language, ended);
    }
    if (state == null) {
      return EndSessionOutcome.redirectTo(redirect, ended);
    }
    String query = URLUtils.serializeParameters(Map.of("state", List.of(state)));
    return EndSessionOutcome.redirectTo(redirect + (URI.create(redirect).getRawQuery() == null ? "?" : "&") + query, ended);
  }

  /** The first of ui_locales this provider speaks, or null (the page then follows the browser). */
  static String language(List<LangTag> uiLocales) {
    return uiLocales == null ? null : uiLocales.stream().map(LangTag::getPrimaryLanguage).filter(Objects::nonNull)
      .map(String::toLowerCase).filter(LANGUAGES::contains).findFirst().orElse(null);
  }

  private static String origin(String uri) {
    URI parsed = URI.create(uri);
    return parsed.getScheme() + "://" + parsed.getRawAuthority();
  }

  private Future<Optional<SignedIn>> signedIn(String sessionToken) {
    return sessions.signedIn(sessionToken).map(Optional::of).recover(error ->
      error instanceof BusFailure failure && failure.code() == ErrorCode.UNAUTHENTICATED
        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(error));
  }

  private static Future<EndSessionOutcome> error(String code, String language) {
    return Future.succeededFuture(EndSessionOutcome.error(code, language));
  }
}
