package dev.twofa.http;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.cli.OidcClients;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ES256 beside RS256: discovery offers both, the JWKS holds a P-256 key, and a client registered with
 * {@code --id-token-signed-response-alg ES256} gets ID tokens signed with it (the others keep RS256).
 */
class OidcEs256Test {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aClientRegisteredForEs256GetsEs256IdTokensThatVerifyAgainstTheJwks() throws Exception {
    RelyingParty ec = RelyingParty.register(server, new OidcClients.Registration("cryptact ec",
      List.of(RelyingParty.REDIRECT.toString()), false, true, null, List.of(), null, "ES256"));
    RelyingParty rsa = RelyingParty.register(server, "cryptact rsa", false, true);
    assertEquals(List.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256), ec.provider.getIDTokenJWSAlgs());
    JWKSet keys = JWKSet.load(ec.provider.getJWKSetURI().toURL());
    ECKey published = (ECKey) keys.getKeys().stream().filter(k -> k instanceof ECKey).findFirst().orElseThrow();
    assertFalse(published.isPrivate());

    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    SignedJWT idToken = (SignedJWT) tokens(ec, browser).getIDToken();
    assertEquals(JWSAlgorithm.ES256, idToken.getHeader().getAlgorithm());
    assertEquals(published.getKeyID(), idToken.getHeader().getKeyID());
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.ES256, new ImmutableJWKSet<>(keys)));
    processor.setJWTClaimsSetVerifier((claims, context) -> { });
    JWTClaimsSet claims = processor.process(idToken, null);
    assertEquals(List.of(ec.clientId.getValue()), claims.getAudience());
    assertTrue(claims.getStringClaim("sid") != null);

    assertEquals(JWSAlgorithm.RS256, ((SignedJWT) tokens(rsa, browser).getIDToken()).getHeader().getAlgorithm());
    // An ES256 ID token is as good a logout hint as an RS256 one.
    ApiClient.Response out = browser.get("/end-session?id_token_hint=" + idToken.serialize());
    assertEquals(200, out.status(), out.toString());
    assertEquals(401, browser.get("/api/account").status());
  }

  private static OIDCTokens tokens(RelyingParty client, ApiClient browser) {
    Attempt attempt = Attempt.fresh();
    HTTPResponse http = client.exchange(RelyingParty.callback(browser.get(client.authorizePath(attempt)))
      .toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
  }
}
