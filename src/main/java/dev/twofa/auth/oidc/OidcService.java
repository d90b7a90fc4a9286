package dev.twofa.auth.oidc;

import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.throttle.Throttle;
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
 * endpoint's decisions, the token and userinfo endpoints. Owns oidc_clients, oidc_subjects, oidc_signing_keys,
 * oidc_authorizations, oidc_codes and oidc_tokens.
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
  private final EndSessionEndpoint endSession;
  private final LogoutRepository logouts;
  private final BackChannelLogouts backChannel;
  private final Pool pool;
  private final Clock clock;

  private OidcService(Discovery discovery, SigningKeys keys, Authorizer authorizer, TokenEndpoint tokens,
                      UserInfoEndpoint userInfo, TokenAdministration administration, GrantRepository grants,
                      EndSessionEndpoint endSession, LogoutRepository logouts, BackChannelLogouts backChannel, Pool pool,
                      Clock clock) {
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
                                   SessionService sessions, UserRepository users, Throttle throttle, Clock clock) {
    Discovery discovery = Discovery.of(publicUrl);
    ClientRepository clients = new ClientRepository();
    GrantRepository grants = new GrantRepository(sessions::idleCutoff);
    SigningKeys keys = new SigningKeys(vertx, pool, ring, allowMissingKeys, clock);
    LogoutRepository logouts = new LogoutRepository();
    BackChannelLogouts backChannel = new BackChannelLogouts(vertx, pool, new LogoutTokens(keys, discovery.issuer()), clock);
    return new OidcService(discovery, keys, new Authorizer(pool, clients, grants, throttle, sessions, discovery.issuer(), clock),
      new TokenEndpoint(pool, clients, grants, new IdTokens(grants, users, keys, discovery.issuer()), discovery.token(), clock),
      new UserInfoEndpoint(pool, grants, users, discovery.userInfo(), clock),
      new TokenAdministration(pool, clients, grants, discovery.issuer(), discovery.revocation(), discovery.introspection(), clock),
      grants, new EndSessionEndpoint(pool, clients, logouts, keys, sessions, discovery.issuer(), backChannel::nudge, clock),
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
    return authorizer.authorize(request.sessionToken(), request.query(),
      request.client() == null ? "" : request.client().ip());
  }

  public Future<AuthorizeOutcome> resume(Resume request) {
    return authorizer.resume(request.sessionToken(), request.authorization());
  }

  public Future<AuthorizationView> authorization(AuthorizationLookup request) {
    return grants.findAuthorization(pool, request.authorization() == null ? "" : request.authorization(), clock.instant())
      .compose(pending -> authorizer.clientOf(request.authorization())
        .map(client -> new AuthorizationView(client.name(), pending.map(p -> Authorizer.forcesLogin(p.query())).orElse(false),
          pending.map(p -> Authorizer.requestedScopes(p.query())).orElse(List.of()))));
  }

  public Future<AuthorizeOutcome> consent(Consent request) {
    return authorizer.consent(request.sessionToken(), request.authorization(), request.allow());
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
