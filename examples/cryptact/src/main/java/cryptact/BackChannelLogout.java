package cryptact;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.claims.LogoutTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.LogoutTokenValidator;

import java.net.MalformedURLException;
import java.net.URI;

/**
 * Checks a back-channel logout_token (OpenID Connect Back-Channel Logout 1.0, section 2.6) with Nimbus: signed by
 * the issuer's key from its JWKS, for this client, fresh, with the logout event, sid or sub, and no nonce.
 */
final class BackChannelLogout {
  private final LogoutTokenValidator validator;

  BackChannelLogout(String issuer, String clientId, String jwksUri) throws MalformedURLException {
    this.validator = new LogoutTokenValidator(new Issuer(issuer), new ClientID(clientId), JWSAlgorithm.RS256,
      URI.create(jwksUri).toURL());
  }

  /** Which twofa session (and user) to log out; throws when the token is not valid. Blocking: the JWKS may be fetched. */
  Ended validate(String logoutToken) throws Exception {
    LogoutTokenClaimsSet claims = validator.validate(JWTParser.parse(logoutToken));
    return new Ended(claims.getSessionID() == null ? null : claims.getSessionID().getValue(),
      claims.getSubject() == null ? null : claims.getSubject().getValue());
  }

  record Ended(String sid, String sub) {
  }
}
