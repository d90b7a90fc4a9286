package dev.twofa.auth.oidc;

import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.pkce.CodeChallenge;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.bus.OidcMessages.ProtocolAnswer;
import dev.twofa.bus.OidcMessages.ProtocolRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The token endpoint: the authorization_code grant (PKCE S256 checked against the code's challenge) and the
 * refresh_token grant (rotated on every use). Confidential clients authenticate with client_secret_basic or
 * client_secret_post, public ones with nothing but PKCE. Errors are OAuth JSON errors (RFC 6749 section 5.2).
 */
final class TokenEndpoint {
  static final Duration ACCESS_TOKEN_LIFETIME = Duration.ofMinutes(5);
  static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofDays(30);
  private final Pool pool;
  private final ClientRepository clients;
  private final GrantRepository grants;
  private final IdTokens idTokens;
  private final URI endpoint;
  private final Clock clock;

  TokenEndpoint(Pool pool, ClientRepository clients, GrantRepository grants, IdTokens idTokens, URI endpoint, Clock clock) {
    this.pool = pool;
    this.clients = clients;
    this.grants = grants;
    this.idTokens = idTokens;
    this.endpoint = endpoint;
    this.clock = clock;
  }

  /** A failure of the request rather than of the server: answered as an OAuth error. */
  static final class Refusal extends RuntimeException {
    final ErrorObject error;

    Refusal(ErrorObject error) {
      super(error.getCode(), null, false, false);
      this.error = error;
    }
  }

  Future<ProtocolAnswer> token(ProtocolRequest request) {
    TokenRequest token;
    try {
      token = TokenRequest.parse(Protocol.httpRequest(request, endpoint));
    } catch (ParseException e) {
      return Future.succeededFuture(error(e.getErrorObject() == null ? OAuth2Error.INVALID_REQUEST : e.getErrorObject()));
    }
    return authenticate(clients, pool, token.getClientAuthentication(), token.getClientID())
      .compose(client -> grant(client, token.getAuthorizationGrant()))
      .recover(failure -> failure instanceof Refusal refusal ? Future.succeededFuture(error(refusal.error))
        : Future.failedFuture(failure));
  }

  /**
   * The client, authenticated as it is registered: by its secret (basic or post), or, public, by nothing but its
   * {@code publicId}; else a Refusal with invalid_client.
   */
  static Future<OidcClient> authenticate(ClientRepository clients, Pool pool, ClientAuthentication auth, ClientID publicId) {
    ClientID id = auth != null ? auth.getClientID() : publicId;
    return clients.find(pool, id == null ? null : id.getValue()).compose(found -> {
      OidcClient client = found.orElseThrow(() -> new Refusal(OAuth2Error.INVALID_CLIENT));
      String secret = auth instanceof ClientSecretBasic basic ? basic.getClientSecret().getValue()
        : auth instanceof ClientSecretPost post ? post.getClientSecret().getValue() : null;
      boolean authenticated = client.isPublic() ? auth == null
        : secret != null && client.secretMatches(SessionTokens.hash(secret));
      if (!authenticated) {
        throw new Refusal(OAuth2Error.INVALID_CLIENT);
      }
      return Future.succeededFuture(client);
    });
  }

  private Future<ProtocolAnswer> grant(OidcClient client, AuthorizationGrant grant) {
    if (grant instanceof AuthorizationCodeGrant code) {
      return exchange(client, code);
    }
    if (grant instanceof RefreshTokenGrant refresh) {
      return refresh(client, refresh.getRefreshToken());
    }
    return Future.failedFuture(new Refusal(OAuth2Error.UNSUPPORTED_GRANT_TYPE));
  }

  /**
   * Uses the code and issues its tokens in one transaction, so that a second use (which waits for the first's row
   * lock) sees them and revokes them. A code that fails its checks stays used.
   */
  private Future<ProtocolAnswer> exchange(OidcClient client, AuthorizationCodeGrant request) {
    byte[] codeHash = SessionTokens.hash(request.getAuthorizationCode().getValue());
    Instant now = clock.instant();
    return pool.withTransaction(tx -> grants.lockUses(tx, codeHash).compose(locked -> grants.useCode(tx, codeHash, now)).compose(used -> {
      if (used.isEmpty()) {
        return grants.revokeGrantOfUsedCode(tx, codeHash).map(revoked -> Optional.<ProtocolAnswer>empty());
      }
      GrantRepository.UsedCode code = used.get();
      boolean valid = code.grant().clientId().equals(client.clientId())
        && request.getRedirectionURI() != null && code.redirectUri().equals(request.getRedirectionURI().toString())
        && request.getCodeVerifier() != null
        && CodeChallenge.compute(CodeChallengeMethod.S256, request.getCodeVerifier()).getValue().equals(code.challenge());
      return valid ? grants.rememberLogin(tx, code.grant()).compose(remembered -> issue(tx, client, code.grant(), code.nonce(), now))
          .map(Optional::of)
        : Future.succeededFuture(Optional.<ProtocolAnswer>empty());
    })).map(answer -> answer.orElseThrow(() -> new Refusal(OAuth2Error.INVALID_GRANT)));
  }

  /** Rotates the refresh token; a rotated one presented again revokes its whole family. */
  private Future<ProtocolAnswer> refresh(OidcClient client, RefreshToken presented) {
    byte[] hash = SessionTokens.hash(presented.getValue());
    Instant now = clock.instant();
    return pool.withTransaction(tx -> grants.lockUses(tx, hash).compose(locked -> grants.useRefreshToken(tx, hash, now)).compose(grant -> {
      if (grant.isEmpty()) {
        return grants.revokeFamilyOfUsedRefreshToken(tx, hash).map(revoked -> Optional.<ProtocolAnswer>empty());
      }
      return grant.get().clientId().equals(client.clientId())
        ? issue(tx, client, grant.get(), null, now).map(Optional::of)
        : Future.succeededFuture(Optional.<ProtocolAnswer>empty());
    })).map(answer -> answer.orElseThrow(() -> new Refusal(OAuth2Error.INVALID_GRANT)));
  }

  /** A new access token, a new refresh token when offline_access was granted, and an ID token. */
  private Future<ProtocolAnswer> issue(SqlClient tx, OidcClient client, Grant grant, String nonce, Instant now) {
    String access = SessionTokens.newToken();
    String refresh = grant.hasScope("offline_access") ? SessionTokens.newToken() : null;
    Future<Void> saved = grants.saveToken(tx, SessionTokens.hash(access), "access", grant, now.plus(ACCESS_TOKEN_LIFETIME));
    if (refresh != null) {
      saved = saved.compose(done -> grants.saveToken(tx, SessionTokens.hash(refresh), "refresh", grant,
        now.plus(REFRESH_TOKEN_LIFETIME)));
    }
    return saved.compose(done -> idTokens.issue(tx, grant, nonce, client.idTokenAlg(), now)).map(idToken -> answer(new OIDCTokenResponse(
      new OIDCTokens(idToken, new BearerAccessToken(access, ACCESS_TOKEN_LIFETIME.toSeconds(), Scope.parse(grant.scope())),
        refresh == null ? null : new RefreshToken(refresh))).toHTTPResponse()));
  }

  static ProtocolAnswer error(ErrorObject error) {
    return answer(new TokenErrorResponse(error).toHTTPResponse());
  }

  static ProtocolAnswer answer(HTTPResponse response) {
    Map<String, String> headers = new LinkedHashMap<>();
    response.getHeaderMap().forEach((name, values) -> {
      if (!values.isEmpty()) {
        headers.put(name, values.get(0));
      }
    });
    return new ProtocolAnswer(response.getStatusCode(), headers, response.getBody());
  }

  static HTTPRequest.Method method(String method) {
    return "GET".equalsIgnoreCase(method) ? HTTPRequest.Method.GET : HTTPRequest.Method.POST;
  }
}
