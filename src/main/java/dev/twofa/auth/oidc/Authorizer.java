package dev.twofa.auth.oidc;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationErrorResponse;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.AuthenticationSuccessResponse;
import com.nimbusds.openid.connect.sdk.OIDCError;
import com.nimbusds.openid.connect.sdk.Prompt;
import dev.twofa.auth.events.Auditor;
import com.nimbusds.openid.connect.sdk.claims.ACR;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.session.SignedIn;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.OidcMessages.AuthorizeOutcome;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The authorization endpoint's decisions. A request whose client or redirect URI is unknown is answered with an
 * error page (a redirect would hand an attacker's URI the answer); every other error goes back to the registered
 * URI as {@code error=}. With a twofa session fresh enough for the request the user goes straight back with a
 * code; otherwise the request waits, under an opaque id, while the user logs in.
 */
final class Authorizer {
  static final Duration CODE_LIFETIME = Duration.ofSeconds(60);
  /** How long a request may wait for its user to log in (and to pass the second factor). */
  static final Duration LOGIN_WAIT = Duration.ofMinutes(15);
  static final Set<String> SCOPES = Set.of("openid", "email", "offline_access");
  /** Requests kept waiting for a login, per client address: generous for people, a cap on rows for a flood. */
  static final ThrottlePolicy WAITING_PER_ADDRESS = new ThrottlePolicy(200, Duration.ofHours(1));
  private final Pool pool;
  private final ClientRepository clients;
  private final GrantRepository grants;
  private final Throttle throttle;
  private final SessionService sessions;
  private final AppAccess access;
  private final Auditor auditor;
  private final Issuer issuer;
  private final Clock clock;

  Authorizer(Pool pool, ClientRepository clients, GrantRepository grants, AppAccess access, Auditor auditor,
             Throttle throttle, SessionService sessions, Issuer issuer, Clock clock) {
    this.pool = pool;
    this.access = access;
    this.auditor = auditor;
    this.throttle = throttle;
    this.clients = clients;
    this.grants = grants;
    this.sessions = sessions;
    this.issuer = issuer;
    this.clock = clock;
  }

  /** {@code GET /authorize} with {@code query} as it came. */
  Future<AuthorizeOutcome> authorize(String sessionToken, String query, ClientInfo from) {
    Map<String, List<String>> params = URLUtils.parseParameters(query == null ? "" : query);
    return clients.find(pool, single(params, "client_id")).compose(client -> {
      if (client.isEmpty()) {
        return Future.succeededFuture(AuthorizeOutcome.error("unknown_client"));
      }
      String redirectUri = single(params, "redirect_uri");
      if (!client.get().registered(redirectUri)) {
        return Future.succeededFuture(AuthorizeOutcome.error("invalid_redirect_uri"));
      }
      return decide(client.get(), URI.create(redirectUri), params, sessionToken, Optional.empty(), false, from);
    });
  }

  /** Back from the login screens with the pending authorization {@code id}. */
  Future<AuthorizeOutcome> resume(String sessionToken, String id, ClientInfo from) {
    return grants.findAuthorization(pool, id == null ? "" : id, clock.instant()).compose(pending -> pending.isEmpty()
      ? Future.succeededFuture(AuthorizeOutcome.error("authorization_expired"))
      : clients.find(pool, pending.get().clientId()).compose(client -> {
          Map<String, List<String>> params = URLUtils.parseParameters(pending.get().query());
          return client.isEmpty() ? Future.succeededFuture(AuthorizeOutcome.error("unknown_client"))
            : decide(client.get(), URI.create(single(params, "redirect_uri")), params, sessionToken, pending, false, from);
        }));
  }

  /** The application a pending authorization is for (the login screen says "Log in to NAME"). */
  Future<OidcClient> clientOf(String id) {
    return grants.findAuthorization(pool, id == null ? "" : id, clock.instant())
      .compose(pending -> pending.map(p -> clients.find(pool, p.clientId())).orElseGet(() -> Future.succeededFuture(Optional.empty())))
      .compose(client -> client.map(Future::succeededFuture).orElseGet(() -> BusFailure.fail(ErrorCode.NOT_FOUND)));
  }

  /**
   * Whether the login screen must show even to a logged-in user: the request asks for a new login, or for two
   * factors (a session that has them is never sent to it; one that lacks them logs in again with its code).
   */
  static boolean forcesLogin(String query) {
    try {
      AuthenticationRequest request = AuthenticationRequest.parse(URLUtils.parseParameters(query));
      return forcesLogin(request) || asksTwoFactors(request);
    } catch (ParseException e) {
      return false;
    }
  }

  /**
   * Whether the request asks for the code step itself ({@code acr_values} naming "2", or any {@code max_age}): a
   * login whose code a trusted browser skipped never answers it.
   */
  static boolean asksForCode(String query) {
    try {
      return asksForCode(AuthenticationRequest.parse(URLUtils.parseParameters(query)));
    } catch (ParseException e) {
      return false;
    }
  }

  private static boolean asksForCode(AuthenticationRequest request) {
    return request.getMaxAge() >= 0 || (request.getACRValues() != null
      && request.getACRValues().stream().anyMatch(acr -> Grant.ACR_TWO_FACTORS.equals(acr.getValue())));
  }

  /**
   * Whether the login screen must ask for a login although the browser is logged in: the request forces one, or
   * asks for the code step and the session's login skipped it on a trusted browser.
   */
  Future<Boolean> loginRequired(String sessionToken, String query) {
    if (forcesLogin(query)) {
      return Future.succeededFuture(true);
    }
    if (!asksForCode(query)) {
      return Future.succeededFuture(false);
    }
    return signedIn(sessionToken).compose(session -> session.isEmpty() ? Future.succeededFuture(false)
      : sessions.login(session.get()).map(Authorizer::skippedTheCode))
      .recover(error -> mustEnrol(error) ? Future.succeededFuture(false) : Future.failedFuture(error));
  }

  private static boolean skippedTheCode(SessionService.Login login) {
    return SessionService.TRUSTED_BROWSER.equals(login.secondFactorMethod());
  }

  private static boolean forcesLogin(AuthenticationRequest request) {
    return (request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.LOGIN)) || request.getMaxAge() == 0;
  }

  /**
   * The consent screen's answer for the pending authorization {@code id}: Deny goes back to the application with
   * access_denied; Allow is remembered for this user and client, and the request goes on.
   */
  Future<AuthorizeOutcome> consent(String sessionToken, String id, boolean allow, ClientInfo from) {
    return grants.findAuthorization(pool, id == null ? "" : id, clock.instant()).compose(found -> {
      if (found.isEmpty()) {
        return BusFailure.fail(ErrorCode.NOT_FOUND);
      }
      GrantRepository.PendingAuthorization pending = found.get();
      Map<String, List<String>> params = URLUtils.parseParameters(pending.query());
      URI redirectUri = URI.create(single(params, "redirect_uri"));
      return sessions.signedIn(sessionToken).compose(session -> clients.find(pool, pending.clientId()).compose(client -> {
        if (client.isEmpty()) {
          return BusFailure.fail(ErrorCode.NOT_FOUND);
        }
        if (!allow) {
          State state = Optional.ofNullable(single(params, "state")).map(State::new).orElse(null);
          return grants.endAuthorization(pool, pending.id())
            .compose(ended -> refuse(redirectUri, OAuth2Error.ACCESS_DENIED, state));
        }
        return grants.saveConsent(pool, session.user().id(), client.get().clientId(), grantedScope(single(params, "scope")),
            clock.instant())
          .compose(saved -> decide(client.get(), redirectUri, params, sessionToken, found, true, from));
      }));
    });
  }

  /** The scopes this provider grants of those asked for, space-separated. */
  static String grantedScope(String requested) {
    return requested == null ? "" : java.util.Arrays.stream(requested.split(" ")).filter(SCOPES::contains).distinct()
      .sorted().collect(Collectors.joining(" "));
  }

  /** The scopes a pending authorization asks for, as the consent screen lists them. */
  static List<String> requestedScopes(String query) {
    String scope = single(URLUtils.parseParameters(query), "scope");
    return java.util.Arrays.stream(grantedScope(scope).split(" ")).filter(s -> !s.isEmpty()).toList();
  }

  private Future<AuthorizeOutcome> decide(OidcClient client, URI redirectUri, Map<String, List<String>> params,
                                          String sessionToken, Optional<GrantRepository.PendingAuthorization> pending,
                                          boolean consentGiven, ClientInfo from) {
    State state = Optional.ofNullable(single(params, "state")).map(State::new).orElse(null);
    AuthenticationRequest request;
    try {
      if (params.values().stream().anyMatch(values -> values.size() > 1)) {
        throw new ParseException("A parameter is repeated", OAuth2Error.INVALID_REQUEST.setDescription("A parameter is repeated"));
      }
      request = AuthenticationRequest.parse(params);
    } catch (ParseException e) {
      return refuse(redirectUri, e.getErrorObject() == null ? OAuth2Error.INVALID_REQUEST : e.getErrorObject(), state);
    }
    Optional<ErrorObject> invalid = invalid(request);
    if (invalid.isPresent()) {
      return refuse(redirectUri, invalid.get(), state);
    }
    return signedIn(sessionToken).compose(session -> (session.isEmpty()
      ? Future.succeededFuture(Optional.<SessionService.Login>empty())
      : sessions.login(session.get()).map(Optional::of)).compose(login -> {
        Optional<Instant> authTime = login.map(SessionService.Login::at);
        Instant now = clock.instant();
        Optional<Instant> loggedInAfter = pending.map(GrantRepository.PendingAuthorization::createdAt);
        boolean fresh = authTime.isPresent()
          && (!forcesLogin(request) || loggedInAfter.map(t -> !authTime.get().isBefore(t)).orElse(false))
          && (request.getMaxAge() <= 0 || !authTime.get().isBefore(now.minusSeconds(request.getMaxAge()))
              || loggedInAfter.map(t -> !authTime.get().isBefore(t)).orElse(false))
          && !(asksForCode(request) && skippedTheCode(login.get()));
        if (fresh && asksTwoFactors(request) && !session.get().secondFactor()) {
          return secondFactorFirst(client, request, params, session.get(), pending, ip(from));
        }
        if (fresh) {
          return client.firstParty() || consentGiven
            ? issueCode(client, request, session.get(), login.get(), pending, from)
            : askConsent(client, request, params, session.get(), login.get(), pending, from);
        }
        if (request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.NONE)) {
          return refuse(redirectUri, OIDCError.LOGIN_REQUIRED, state);
        }
        return pending.map(p -> Future.succeededFuture(AuthorizeOutcome.login(p.id())))
          .orElseGet(() -> waitForLogin(client, params, ip(from)));
      }))
      // An account past its days to turn on a required 2FA: the set-up first, then on to the application.
      .recover(error -> !mustEnrol(error) ? Future.failedFuture(error)
        : request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.NONE)
          ? refuse(redirectUri, OIDCError.LOGIN_REQUIRED, state)
          : pending.map(p -> Future.succeededFuture(AuthorizeOutcome.enrol(p.id())))
            .orElseGet(() -> saveWaiting(client, params, ip(from)).map(AuthorizeOutcome::enrol)));
  }

  private static boolean mustEnrol(Throwable error) {
    return error instanceof BusFailure failure && failure.code() == ErrorCode.TWO_FACTOR_REQUIRED;
  }

  /** acr_values holding "2": the application wants a login with two factors (cryptact before a withdrawal). */
  static boolean asksTwoFactors(AuthenticationRequest request) {
    return request.getACRValues() != null && request.getACRValues().contains(new ACR(Grant.ACR_TWO_FACTORS));
  }

  /**
   * A session of one factor asked for two: a user without 2FA is led through turning it on (the enable-2FA screens,
   * which then carry the request on), one with 2FA logs in again, with its code; with prompt=none,
   * interaction_required. The ID token then says acr "2".
   */
  private Future<AuthorizeOutcome> secondFactorFirst(OidcClient client, AuthenticationRequest request,
                                                     Map<String, List<String>> params, SignedIn session,
                                                     Optional<GrantRepository.PendingAuthorization> pending, String ip) {
    if (request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.NONE)) {
      return refuse(request.getRedirectionURI(), OIDCError.INTERACTION_REQUIRED, request.getState());
    }
    Future<String> id = pending.map(p -> Future.succeededFuture(p.id())).orElseGet(() -> saveWaiting(client, params, ip));
    return id.map(waiting -> session.user().twoFactorEnabled() ? AuthorizeOutcome.login(waiting)
      : AuthorizeOutcome.secondFactor(waiting));
  }

  /** What this provider refuses in a request that parsed: anything but the code flow with PKCE S256, by query. */
  private static Optional<ErrorObject> invalid(AuthenticationRequest request) {
    // First: with a request object Nimbus lets the query leave out response_type (RFC 9101), so it may be null.
    if (request.getRequestObject() != null) {
      return Optional.of(OAuth2Error.REQUEST_NOT_SUPPORTED);
    }
    if (request.getRequestURI() != null) {
      return Optional.of(OAuth2Error.REQUEST_URI_NOT_SUPPORTED);
    }
    if (request.getResponseType() == null || !request.getResponseType().impliesCodeFlow() || request.getResponseType().size() != 1) {
      return Optional.of(OAuth2Error.UNSUPPORTED_RESPONSE_TYPE.setDescription("Only response_type=code is supported"));
    }
    if (request.getResponseMode() != null && !request.getResponseMode().equals(ResponseMode.QUERY)) {
      return Optional.of(OAuth2Error.INVALID_REQUEST.setDescription("Only response_mode=query is supported"));
    }
    if (request.getCodeChallenge() == null || !CodeChallengeMethod.S256.equals(request.getCodeChallengeMethod())) {
      return Optional.of(OAuth2Error.INVALID_REQUEST.setDescription("PKCE is required: code_challenge with code_challenge_method=S256"));
    }
    if (request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.NONE) && request.getPrompt().size() > 1) {
      return Optional.of(OAuth2Error.INVALID_REQUEST.setDescription("prompt=none cannot be combined with other values"));
    }
    return Optional.empty();
  }

  private Future<Optional<SignedIn>> signedIn(String sessionToken) {
    return sessions.signedIn(sessionToken).map(Optional::of).recover(error ->
      error instanceof BusFailure failure && failure.code() == ErrorCode.UNAUTHENTICATED
        ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(error));
  }

  /**
   * An application that is not first-party gets a code once the user allowed it the scopes it asks for (remembered
   * per client; prompt=consent asks again); otherwise the consent screen, or consent_required with prompt=none.
   */
  private Future<AuthorizeOutcome> askConsent(OidcClient client, AuthenticationRequest request, Map<String, List<String>> params,
                                              SignedIn session, SessionService.Login login,
                                              Optional<GrantRepository.PendingAuthorization> pending, ClientInfo from) {
    boolean askAgain = request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.CONSENT);
    return grants.consentedScope(pool, session.user().id(), client.clientId()).compose(consented -> {
      Set<String> allowed = consented.map(scope -> Set.of(scope.split(" "))).orElse(Set.of());
      boolean covered = consented.isPresent() && !askAgain
        && allowed.containsAll(List.of(grantedScope(request.getScope().toString()).split(" ")));
      if (covered) {
        return issueCode(client, request, session, login, pending, from);
      }
      if (request.getPrompt() != null && request.getPrompt().contains(Prompt.Type.NONE)) {
        return refuse(request.getRedirectionURI(), OIDCError.CONSENT_REQUIRED, request.getState());
      }
      return pending.map(p -> Future.succeededFuture(AuthorizeOutcome.consent(p.id())))
        .orElseGet(() -> saveWaiting(client, params, ip(from)).map(AuthorizeOutcome::consent));
    });
  }

  private Future<AuthorizeOutcome> waitForLogin(OidcClient client, Map<String, List<String>> params, String ip) {
    return saveWaiting(client, params, ip).map(AuthorizeOutcome::login);
  }

  /** Keeps the request on the server under a new opaque id while the user logs in or answers the consent screen. */
  private Future<String> saveWaiting(OidcClient client, Map<String, List<String>> params, String ip) {
    Instant now = clock.instant();
    GrantRepository.PendingAuthorization pending = new GrantRepository.PendingAuthorization(SessionTokens.newToken(),
      client.clientId(), URLUtils.serializeParameters(params), now);
    return pool.withTransaction(tx -> throttle.reserve(tx, "oidc.waiting.address:" + ip, WAITING_PER_ADDRESS)
      .compose(admitted -> grants.saveAuthorization(tx, pending, now.plus(LOGIN_WAIT)))).map(saved -> pending.id());
  }

  private Future<AuthorizeOutcome> issueCode(OidcClient client, AuthenticationRequest request, SignedIn session,
                                             SessionService.Login login, Optional<GrantRepository.PendingAuthorization> pending,
                                             ClientInfo from) {
    String code = SessionTokens.newToken();
    Instant now = clock.instant();
    String scope = grantedScope(request.getScope().toString());
    Grant grant = new Grant(UUID.randomUUID(), client.clientId(), session.user().id(), scope, session.handle(), login.at(),
      Grant.amr(session.secondFactor(), login.secondFactorMethod()),
      session.secondFactor() ? Grant.ACR_TWO_FACTORS : Grant.ACR_ONE_FACTOR);
    return pool.withTransaction(tx -> grants.saveCode(tx, SessionTokens.hash(code), grant,
        request.getRedirectionURI().toString(), request.getNonce() == null ? null : request.getNonce().getValue(),
        request.getCodeChallenge().getValue(), now.plus(CODE_LIFETIME))
      .compose(saved -> pending.map(p -> grants.endAuthorization(tx, p.id())).orElseGet(Future::succeededFuture))
      // Account › Apps you've logged in to, and Activity's "Logged in to NAME".
      .compose(ended -> access.used(tx, grant.userId(), client.clientId(), now))
      .compose(used -> auditor.recordWithin(tx, new SecurityEvent(grant.userId(), SecurityEvent.OIDC_LOGIN, true, from,
        null, Map.of(SecurityEvent.CLIENT, client.name()), null))))
      .onSuccess(committed -> auditor.nudge())
      .map(saved -> AuthorizeOutcome.redirectTo(new AuthenticationSuccessResponse(request.getRedirectionURI(),
      new AuthorizationCode(code), null, null, request.getState(), null, issuer, null).toURI().toString()));
  }

  private Future<AuthorizeOutcome> refuse(URI redirectUri, ErrorObject error, State state) {
    return Future.succeededFuture(AuthorizeOutcome.redirectTo(
      new AuthenticationErrorResponse(redirectUri, error, state, issuer, null).toURI().toString()));
  }

  private static String ip(ClientInfo from) {
    return from == null ? "" : from.ip();
  }

  /** The one value of {@code name}, or null when absent or repeated. */
  private static String single(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.size() != 1 ? null : values.get(0);
  }
}
