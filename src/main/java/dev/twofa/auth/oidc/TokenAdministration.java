package dev.twofa.auth.oidc;

import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionSuccessResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.token.AccessTokenType;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.bus.OidcMessages.ProtocolAnswer;
import dev.twofa.bus.OidcMessages.ProtocolRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.time.Clock;
import java.util.Date;
import java.util.Map;

/**
 * Revocation (RFC 7009) and introspection (RFC 7662). A client revokes only its own tokens; revoking a refresh
 * token ends its whole grant. Introspection is for confidential clients: any live access token, and the asking
 * client's own refresh tokens; everything else is {@code "active": false}.
 */
final class TokenAdministration {
  private final Pool pool;
  private final ClientRepository clients;
  private final GrantRepository grants;
  private final Issuer issuer;
  private final URI revocation;
  private final URI introspection;
  private final Clock clock;

  TokenAdministration(Pool pool, ClientRepository clients, GrantRepository grants, Issuer issuer, URI revocation,
                      URI introspection, Clock clock) {
    this.pool = pool;
    this.clients = clients;
    this.grants = grants;
    this.issuer = issuer;
    this.revocation = revocation;
    this.introspection = introspection;
    this.clock = clock;
  }

  Future<ProtocolAnswer> revoke(ProtocolRequest request) {
    TokenRevocationRequest revoke;
    try {
      revoke = TokenRevocationRequest.parse(Protocol.httpRequest(request, revocation));
    } catch (ParseException e) {
      return Future.succeededFuture(TokenEndpoint.error(e.getErrorObject() == null ? OAuth2Error.INVALID_REQUEST : e.getErrorObject()));
    }
    byte[] hash = SessionTokens.hash(revoke.getToken().getValue());
    return TokenEndpoint.authenticate(clients, pool, revoke.getClientAuthentication(), revoke.getClientID())
      .compose(client -> grants.liveToken(pool, hash, clock.instant()).compose(token -> token.isEmpty()
        || !token.get().grant().clientId().equals(client.clientId()) ? Future.<Void>succeededFuture()
        : token.get().kind().equals("refresh") ? grants.revokeGrant(pool, token.get().grant().grantId(), client.clientId())
        : grants.revokeToken(pool, hash, client.clientId())))
      // RFC 7009: 200 whether or not there was such a token.
      .map(done -> new ProtocolAnswer(200, Map.of("Cache-Control", "no-store"), ""))
      .recover(failure -> failure instanceof TokenEndpoint.Refusal refusal
        ? Future.succeededFuture(TokenEndpoint.error(refusal.error)) : Future.failedFuture(failure));
  }

  Future<ProtocolAnswer> introspect(ProtocolRequest request) {
    TokenIntrospectionRequest introspect;
    try {
      introspect = TokenIntrospectionRequest.parse(Protocol.httpRequest(request, introspection));
    } catch (ParseException e) {
      return Future.succeededFuture(TokenEndpoint.error(e.getErrorObject() == null ? OAuth2Error.INVALID_REQUEST : e.getErrorObject()));
    }
    if (introspect.getClientAuthentication() == null) {
      return Future.succeededFuture(TokenEndpoint.error(OAuth2Error.INVALID_CLIENT));
    }
    byte[] hash = SessionTokens.hash(introspect.getToken().getValue());
    return TokenEndpoint.authenticate(clients, pool, introspect.getClientAuthentication(), null)
      .compose(client -> grants.liveToken(pool, hash, clock.instant()).compose(token -> {
        boolean visible = token.isPresent()
          && (token.get().kind().equals("access") || token.get().grant().clientId().equals(client.clientId()));
        if (!visible) {
          return Future.succeededFuture(TokenEndpoint.answer(new TokenIntrospectionSuccessResponse.Builder(false).build().toHTTPResponse()));
        }
        Grant grant = token.get().grant();
        return grants.subject(pool, grant.userId()).map(subject -> TokenEndpoint.answer(
          new TokenIntrospectionSuccessResponse.Builder(true).scope(Scope.parse(grant.scope()))
            .clientID(new ClientID(grant.clientId())).subject(new Subject(subject)).issuer(issuer)
            .tokenType(token.get().kind().equals("access") ? AccessTokenType.BEARER : null)
            .expirationTime(Date.from(token.get().expiresAt())).build().toHTTPResponse()));
      }))
      .recover(failure -> failure instanceof TokenEndpoint.Refusal refusal
        ? Future.succeededFuture(TokenEndpoint.error(refusal.error)) : Future.failedFuture(failure));
  }
}
