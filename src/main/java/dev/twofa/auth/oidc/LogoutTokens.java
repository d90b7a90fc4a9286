package dev.twofa.auth.oidc;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.JWTID;
import com.nimbusds.oauth2.sdk.id.Subject;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.claims.SessionID;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Logout tokens (OpenID Connect Back-Channel Logout 1.0, section 2.4): iss, aud (the client), iat, exp (2 minutes),
 * a new jti, the back-channel logout event, sub and sid; never a nonce. Signed like the client's ID tokens (its
 * id_token_signed_response_alg), typed logout+jwt.
 */
final class LogoutTokens {
  static final Duration LIFETIME = Duration.ofMinutes(2);
  static final JOSEObjectType TYPE = new JOSEObjectType("logout+jwt");
  private final SigningKeys keys;
  private final Issuer issuer;

  LogoutTokens(SigningKeys keys, Issuer issuer) {
    this.keys = keys;
    this.issuer = issuer;
  }

  /** A logout token telling {@code clientId} that the session {@code sid} of {@code subject} ended. */
  String sign(String clientId, JWSAlgorithm alg, String subject, UUID sid, Instant now) {
    LogoutTokenClaimsSet claims = new LogoutTokenClaimsSet(issuer, new Subject(subject), Audience.create(clientId),
      Date.from(now), Date.from(now.plus(LIFETIME)), new JWTID(), new SessionID(sid.toString()));
    try {
      return keys.sign(claims.toJWTClaimsSet(), TYPE, alg);
    } catch (ParseException e) {
      throw new IllegalStateException("building a logout token", e);
    }
  }
}
