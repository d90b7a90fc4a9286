package dev.twofa.auth.oidc;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.OidcMessages.AppRemove;
import dev.twofa.bus.OidcMessages.AppView;
import dev.twofa.bus.OidcMessages.Apps;
import dev.twofa.bus.OidcMessages.AuthorizationLookup;
import dev.twofa.bus.OidcMessages.AuthorizationView;
import dev.twofa.bus.OidcMessages.Authorize;
import dev.twofa.bus.OidcMessages.Consent;
import dev.twofa.bus.OidcMessages.EndSession;
import dev.twofa.bus.OidcMessages.EndSessionConfirm;
import dev.twofa.bus.OidcMessages.EndSessionOutcome;
import dev.twofa.bus.OidcMessages.AuthorizeOutcome;
import dev.twofa.bus.OidcMessages.ProtocolAnswer;
import dev.twofa.bus.OidcMessages.ProtocolRequest;
import dev.twofa.bus.OidcMessages.Resume;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.bus.ClientInfo;
import dev.twofa.config.KeyRing;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * twofa as an OpenID Connect provider (authorization code flow with PKCE): discovery, JWKS, the authorization
 * endpoint's decisions, the token and userinfo endpoints; the Account page's applications. Owns oidc_clients,
 * oidc_subjects, oidc_signing_keys, oidc_authorizations, oidc_codes, oidc_tokens, oidc_consents and oidc_app_access.
 */
@Door
public final class OidcService {
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json; charset=UTF-8");
  private final Discovery discovery;
  private final SigningKeys keys;
  private final Authorizer authorizer;
  private final TokenEndpoint tokens;
  private final UserInfoEndpoint userInfo;
  private final TokenAdministration administration;
  private final GrantRepository grants;
  private final AppAccess access;
  private final SessionService sessions;
  private final Auditor auditor;
  private final EndSessionEndpoint endSession;
  private final LogoutRepository logouts;
  private final BackChannelLogouts backChannel;
  private final Pool pool;
  private final Clock clock;

  private OidcService(Discovery discovery, SigningKeys keys, Authorizer authorizer, TokenEndpoint tokens,
                      UserInfoEndpoint userInfo, TokenAdministration administration, GrantRepository grants,
                      AppAccess access, SessionService sessions, Auditor auditor, EndSessionEndpoint endSession,
                      LogoutRepository logouts, BackChannelLogouts backChannel, Pool pool, Clock clock) {
    this.access = access;
    this.sessions = sessions;
    this.auditor = auditor;
    this.backChannel = backChannel;
    this.endSession = endSession;
    this.logouts = logouts;
    this.administration = administration;
    this.discovery = discovery;
    this.keys = keys;
    this.authorizer = authorizer;
    this.tokens = tokens;
    this.userInfo = userInfo;
    this.grants = grants;
    this.pool = pool;
    this.clock = clock;
  }

  /** The room; {@link #start()} loads its signing key (or makes it, the first time). */
  public static OidcService create(Vertx vertx, Pool pool, KeyRing ring, boolean allowMissingKeys, URI publicUrl,
                                   SessionService sessions, UserRepository users, Throttle throttle, Auditor auditor,
                                   Clock clock) {
    Discovery discovery = Discovery.of(publicUrl);
    ClientRepository clients = new ClientRepository();
    GrantRepository grants = new GrantRepository(sessions::idleCutoff);
    AppAccess access = new AppAccess();
    SigningKeys keys = new SigningKeys(vertx, pool, ring, allowMissingKeys, clock);
    LogoutRepository logouts = new LogoutRepository();
    BackChannelLogouts backChannel = new BackChannelLogouts(vertx, pool, new LogoutTokens(keys, discovery.issuer()), clock);
    return new OidcService(discovery, keys,
      new Authorizer(pool, clients, grants, access, auditor, throttle, sessions, discovery.issuer(), clock),
      new TokenEndpoint(pool, clients, grants, new IdTokens(grants, users, keys, discovery.issuer()), discovery.token(), clock),
      new UserInfoEndpoint(pool, grants, users, discovery.userInfo(), clock),
      new TokenAdministration(pool, clients, grants, discovery.issuer(), discovery.revocation(), discovery.introspection(), clock),
      grants, access, sessions, auditor,
      new EndSessionEndpoint(pool, clients, logouts, keys, sessions, discovery.issuer(), backChannel::nudge, clock),
      logouts, backChannel, pool, clock);
  }

  public Future<Void> start() {
    return keys.start();
  }

  public Future<ProtocolAnswer> discovery(Void request) {
    return Future.succeededFuture(new ProtocolAnswer(200, JSON, discovery.document()));
  }

  public Future<ProtocolAnswer> jwks(Void request) {
    return Future.succeededFuture(new ProtocolAnswer(200, Map.of("Content-Type", "application/jwk-set+json"), keys.jwks()));
  }

  public Future<AuthorizeOutcome> authorize(Authorize request) {
    return authorizer.authorize(request.sessionToken(), request.query(), request.client());
  }

  public Future<AuthorizeOutcome> resume(Resume request) {
    return authorizer.resume(request.sessionToken(), request.authorization(), request.client());
  }

  public Future<AuthorizationView> authorization(AuthorizationLookup request) {
    return grants.findAuthorization(pool, request.authorization() == null ? "" : request.authorization(), clock.instant())
      .compose(pending -> authorizer.clientOf(request.authorization())
        .compose(client -> pending.map(p -> authorizer.loginRequired(request.sessionToken(), p.query()))
          .orElseGet(() -> Future.succeededFuture(false))
          .map(loginRequired -> new AuthorizationView(client.name(), loginRequired,
            pending.map(p -> Authorizer.requestedScopes(p.query())).orElse(List.of())))));
  }

  /**
   * For the login room: whether the pending authorization {@code id} (null: none) asks for the code step itself,
   * so that a trusted browser must not skip it.
   */
  public Future<Boolean> asksForCode(String id) {
    if (id == null || id.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return grants.findAuthorization(pool, id, clock.instant())
      .map(pending -> pending.map(p -> Authorizer.asksForCode(p.query())).orElse(false));
  }

  public Future<AuthorizeOutcome> consent(Consent request) {
    return authorizer.consent(request.sessionToken(), request.authorization(), request.allow(), request.client());
  }

  public Future<ProtocolAnswer> token(ProtocolRequest request) {
    return tokens.token(request);
  }

  public Future<ProtocolAnswer> revoke(ProtocolRequest request) {
    return administration.revoke(request);
  }

  public Future<ProtocolAnswer> introspect(ProtocolRequest request) {
    return administration.introspect(request);
  }

  public Future<ProtocolAnswer> userInfo(ProtocolRequest request) {
    return userInfo.userInfo(request);
  }

  /** Account › Apps you've logged in to: each application this session's user logged in to, the latest first. */
  public Future<Apps> apps(Session request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> appsOf(session.user().id()));
  }

  /**
   * "Remove access": the application's tokens end at once, its codes go, the consent is forgotten (a login to it
   * asks again), the application is sent a back-channel logout for each of this user's sessions with it, and
   * Activity says so. An application the user never logged in to is not found.
   */
  public Future<Apps> removeApp(AppRemove request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      long userId = session.user().id();
      String clientId = request.clientId() == null ? "" : request.clientId();
      return pool.withTransaction(tx -> access.remove(tx, userId, clientId, clock.instant()).compose(name -> name == null
          ? BusFailure.<Void>fail(ErrorCode.NOT_FOUND)
          : auditor.recordWithin(tx, new SecurityEvent(userId, SecurityEvent.OIDC_ACCESS_REMOVED, true, request.client(),
            null, Map.of(SecurityEvent.CLIENT, name), null))))
        .onSuccess(removed -> {
          auditor.nudge();
          backChannel.nudge();
        })
        .compose(removed -> appsOf(userId));
    });
  }

  private Future<Apps> appsOf(long userId) {
    return access.list(pool, userId).map(apps -> new Apps(apps.stream()
      .map(app -> new AppView(app.clientId(), app.name(), app.lastUsedAt().toString())).toList()));
  }

  /** RP-initiated logout: {@code GET} (the query) or {@code POST} (the form body) {@code /end-session}. */
  public Future<EndSessionOutcome> endSession(EndSession request) {
    boolean form = request.request() != null && "POST".equalsIgnoreCase(request.request().method());
    String encoded = form ? (isForm(request.request().contentType()) ? request.request().body() : null) : request.query();
    return endSession.request(request.sessionToken(), URLUtils.parseParameters(encoded == null ? "" : encoded),
      request.client() == null ? ClientInfo.UNKNOWN : request.client());
  }

  public Future<EndSessionOutcome> confirmEndSession(EndSessionConfirm request) {
    return endSession.confirm(request);
  }

  private static boolean isForm(String contentType) {
    return contentType != null && contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/x-www-form-urlencoded");
  }

  /**
   * Sends the back-channel logouts that are due (on a timer, on every auth node: any may send any; sessions ended by
   * other rooms queue theirs in their own statements).
   */
  public void deliverLogouts() {
    backChannel.nudge();
  }

  /**
   * Drops expired authorizations, codes, tokens, unanswered logouts and long given-up logout tokens, and queues the
   * logouts of sessions that ended without a delete (run on a timer; any auth node may).
   */
  public Future<Integer> purge() {
    Instant now = clock.instant();
    return grants.sweepEndedSessions(pool, now)
      .onSuccess(queued -> {
        if (queued > 0) {
          backChannel.nudge();
        }
      })
      .compose(swept -> grants.purge(pool, now))
      .compose(purged -> logouts.purge(pool, now).map(more -> purged + more))
      .compose(purged -> backChannel.purgeGivenUp().map(more -> purged + more));
  }
}
