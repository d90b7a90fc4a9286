package dev.twofa.auth.oidc;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.ACR;
import com.nimbusds.openid.connect.sdk.claims.AMR;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import dev.twofa.auth.account.SecurityHold;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * ID tokens (RS256, or ES256 for a client registered so): the stable opaque {@code sub}, {@code auth_time}, {@code sid}
 * (the twofa session), {@code nonce}, {@code amr} and {@code acr} from the grant, with the email scope the address and
 * whether it is verified, and while the account's security hold lasts, its end ({@code security_hold_until}, epoch
 * seconds): an application holds its own sensitive actions (withdrawals, payout addresses) until then.
 */
final class IdTokens {
  static final Duration LIFETIME = Duration.ofMinutes(5);
  static final String SECURITY_HOLD_UNTIL = "security_hold_until";
  private final GrantRepository grants;
  private final UserRepository users;
  private final SigningKeys keys;
  private final Issuer issuer;

  IdTokens(GrantRepository grants, UserRepository users, SigningKeys keys, Issuer issuer) {
    this.grants = grants;
    this.users = users;
    this.keys = keys;
    this.issuer = issuer;
  }

  /** An ID token for {@code grant}, signed by {@code alg} (the client's id_token_signed_response_alg). */
  Future<JWT> issue(SqlClient db, Grant grant, String nonce, JWSAlgorithm alg, Instant now) {
    return grants.subject(db, grant.userId()).compose(subject -> users.findById(db, grant.userId())
      .map(user -> sign(subject, user.orElseThrow(() -> new IllegalStateException("no such user")), grant, nonce, alg, now)));
  }

  /** The end of the account's security hold in epoch seconds, only while it lasts. */
  static java.util.Optional<Long> securityHoldUntil(UserRow user, Instant now) {
    return SecurityHold.activeUntil(user.securityHoldUntil(), now).map(Instant::getEpochSecond);
  }

  private JWT sign(String subject, UserRow user, Grant grant, String nonce, JWSAlgorithm alg, Instant now) {
    IDTokenClaimsSet claims = new IDTokenClaimsSet(issuer, new Subject(subject), Audience.create(grant.clientId()),
      Date.from(now.plus(LIFETIME)), Date.from(now));
    claims.setAuthenticationTime(Date.from(grant.authTime()));
    claims.setNonce(nonce == null ? null : new Nonce(nonce));
    claims.setACR(new ACR(grant.acr()));
    claims.setAMR(grant.amr().stream().map(AMR::new).toList());
    claims.setClaim("sid", grant.sessionHandle().toString());
    claims.setClaim("azp", grant.clientId());
    if (grant.hasScope("email")) {
      claims.setClaim("email", user.email());
      claims.setClaim("email_verified", user.emailVerified());
    }
    securityHoldUntil(user, now).ifPresent(until -> claims.setClaim(SECURITY_HOLD_UNTIL, until));
    try {
      return JWTParser.parse(keys.sign(claims.toJWTClaimsSet(), JOSEObjectType.JWT, alg));
    } catch (ParseException | java.text.ParseException e) {
      throw new IllegalStateException("building an ID token", e);
    }
  }
}
