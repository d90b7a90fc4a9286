package dev.twofa.http;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.Prompt;
import com.nimbusds.openid.connect.sdk.claims.ACR;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * acr_values=2, how an application asks for two factors (cryptact before a withdrawal): a password-only session is
 * not enough; its user turns 2FA on and the request goes on, and the ID token then says acr "2".
 */
class OidcAcrValuesTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  @Test
  void aPasswordOnlySessionTurnsTwoFactorsOnFirstAndTheIdTokenThenSaysTwo() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    Attempt attempt = Attempt.fresh();
    String twoFactors = app.authorizePath(attempt, b -> b.acrValues(List.of(new ACR("2"))));

    assertEquals("interaction_required", RelyingParty.callback(browser.get(app.authorizePath(Attempt.fresh(),
      b -> b.acrValues(List.of(new ACR("2"))).prompt(new Prompt(Prompt.Type.NONE))))).toErrorResponse().getErrorObject().getCode());

    ApiClient.Response toSetup = browser.get(twoFactors);
    assertEquals(302, toSetup.status(), toSetup.toString());
    String location = toSetup.header("Location");
    assertTrue(location.matches("/2fa/setup\\?authorization=[A-Za-z0-9_-]{43}"), location);
    String id = location.substring(location.indexOf('=') + 1);
    assertEquals("cryptact", browser.get("/api/authorizations/" + id).json().getString("clientName"));
    assertTrue(browser.get("/authorize/resume?authorization=" + id).header("Location").startsWith("/2fa/setup?"),
      "still one factor: back to turning 2FA on");

    accounts.enrolled(browser, email);
    AuthorizationResponse back = RelyingParty.callback(browser.get("/authorize/resume?authorization=" + id));
    assertTrue(back.indicatesSuccess(), back.toString());
    assertEquals(attempt.state(), back.getState());
    HTTPResponse http = app.exchange(back.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    JWTClaimsSet claims = app.verify(((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens().getIDTokenString(),
      attempt.nonce());
    assertEquals("2", claims.getStringClaim("acr"));
    assertEquals(List.of("pwd", "otp", "mfa"), claims.getStringListClaim("amr"));

    // With two factors the session is enough as it is.
    Attempt again = Attempt.fresh();
    AuthorizationResponse straight = RelyingParty.callback(browser.get(app.authorizePath(again,
      b -> b.acrValues(List.of(new ACR("2"))))));
    assertTrue(straight.indicatesSuccess());
  }

  @Test
  void withoutAcrValuesAPasswordOnlySessionStillGetsACodeSayingOne() throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    Attempt attempt = Attempt.fresh();
    AuthorizationResponse response = RelyingParty.callback(browser.get(app.authorizePath(attempt,
      b -> b.acrValues(List.of(new ACR("1"))))));
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals("1", app.verify(((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens().getIDTokenString(),
      attempt.nonce()).getStringClaim("acr"));
  }
}
