package dev.twofa.http;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.UserInfoRequest;
import com.nimbusds.openid.connect.sdk.UserInfoResponse;
import com.nimbusds.openid.connect.sdk.token.OIDCTokens;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An application learns of the security hold: {@code security_hold_until} in the ID token and userinfo, only while it lasts. */
class SecurityHoldClaimTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  private record Login(JWTClaimsSet idToken, Object userInfoClaim) {
  }

  private Login login(ApiClient browser) throws Exception {
    Attempt attempt = Attempt.fresh();
    AuthorizationResponse response = RelyingParty.callback(browser.get(app.authorizePath(attempt)));
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    OIDCTokens tokens = ((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens();
    UserInfoResponse info = UserInfoResponse.parse(new UserInfoRequest(app.provider.getUserInfoEndpointURI(),
      (BearerAccessToken) tokens.getAccessToken()).toHTTPRequest().send());
    assertTrue(info.indicatesSuccess());
    return new Login(app.verify(tokens.getIDTokenString(), attempt.nonce()),
      info.toSuccessResponse().getUserInfo().getClaim("security_hold_until"));
  }

  private static void holdUntil(String email, Instant until) {
    server.query("UPDATE users SET security_hold_until = $2 WHERE email = $1", email, until.atOffset(ZoneOffset.UTC));
  }

  @Test
  void theClaimGivesTheEndOfAHoldInEpochSecondsOnlyWhileItLasts() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    accounts.enrolled(browser, email);
    Login before = login(browser);
    assertNull(before.idToken().getClaim("security_hold_until"), "no hold, no claim");
    assertNull(before.userInfoClaim());

    Instant until = server.clock().instant().plus(Duration.ofHours(20));
    holdUntil(email, until);
    Login held = login(browser);
    assertEquals(until.getEpochSecond(), held.idToken().getLongClaim("security_hold_until"));
    assertEquals(until.getEpochSecond(), ((Number) held.userInfoClaim()).longValue());
    assertEquals(until.toString(), Instant.parse(browser.get("/api/account").json().getString("securityHoldUntil")).toString());

    // Over (the column is set in the past of the server's clock rather than waiting): gone from both.
    holdUntil(email, server.clock().instant().minusSeconds(1));
    Login after = login(browser);
    assertNull(after.idToken().getClaim("security_hold_until"));
    assertNull(after.userInfoClaim());
    assertNull(browser.get("/api/account").json().getString("securityHoldUntil"));
  }
}
