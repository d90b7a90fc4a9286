package dev.twofa.auth.oidc;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.oauth2.sdk.token.BearerTokenError;
import com.nimbusds.openid.connect.sdk.UserInfoErrorResponse;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoSuccessResponse;
import com.nimbusds.openid.connect.sdk.claims.UserInfo;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.bus.OidcMessages.ProtocolAnswer;
import dev.twofa.bus.OidcMessages.ProtocolRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.net.URI;
import java.time.Clock;

/**
 * The userinfo endpoint: a live access token's subject, with the email scope the address, and while the account's
 * security hold lasts its end ({@code security_hold_until}).
 */
final class UserInfoEndpoint {
  private final Pool pool;
  private final GrantRepository grants;
  private final UserRepository users;
  private final URI endpoint;
  private final Clock clock;

  UserInfoEndpoint(Pool pool, GrantRepository grants, UserRepository users, URI endpoint, Clock clock) {
    this.pool = pool;
    this.grants = grants;
    this.users = users;
    this.endpoint = endpoint;
    this.clock = clock;
  }

  Future<ProtocolAnswer> userInfo(ProtocolRequest request) {
    UserInfoRequest parsed;
    try {
      parsed = UserInfoRequest.parse(Protocol.httpRequest(request, endpoint));
    } catch (ParseException e) {
      return Future.succeededFuture(TokenEndpoint.answer(new UserInfoErrorResponse(
        e.getErrorObject() instanceof BearerTokenError bearer ? bearer : BearerTokenError.MISSING_TOKEN).toHTTPResponse()));
    }
    byte[] hash = SessionTokens.hash(parsed.getAccessToken().getValue());
    return grants.accessToken(pool, hash, clock.instant()).compose(grant -> grant.isEmpty()
      ? Future.succeededFuture(TokenEndpoint.answer(new UserInfoErrorResponse(BearerTokenError.INVALID_TOKEN).toHTTPResponse()))
      : grants.subject(pool, grant.get().userId()).compose(subject -> users.findById(pool, grant.get().userId())
          .map(user -> {
            UserInfo info = new UserInfo(new Subject(subject));
            if (grant.get().hasScope("email") && user.isPresent()) {
              info.setEmailAddress(user.get().email());
              info.setEmailVerified(user.get().emailVerified());
            }
            user.flatMap(u -> IdTokens.securityHoldUntil(u, clock.instant()))
              .ifPresent(until -> info.setClaim(IdTokens.SECURITY_HOLD_UNTIL, until));
            return TokenEndpoint.answer(new UserInfoSuccessResponse(info).toHTTPResponse());
          })));
  }
}
