package dev.twofa.http;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import dev.twofa.support.ApiClient;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.SoftwarePasskey;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The amr and acr of an ID token after a passkey login, through the code flow as an application sees it
 * (RFC 8176): alone, a passkey that verified its user is hwk/swk + user + mfa; after a password, pwd + hwk/swk +
 * mfa; hwk or swk by the authenticator data's backup-eligible flag. The passkeys are {@link SoftwarePasskey}s.
 */
class OidcPasskeyAmrTest {
  @RegisterExtension
  static TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  @Test
  void aPasskeyAloneIsHardwareBoundUserVerifiedAndTwoFactors() throws Exception {
    SoftwarePasskey device = new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV);
    ApiClient browser = signedUpWith(device);
    signInAlone(browser, device);
    JWTClaimsSet claims = idToken(browser);
    assertEquals(List.of("hwk", "user", "mfa"), claims.getStringListClaim("amr"));
    assertEquals("2", claims.getStringClaim("acr"));
  }

  @Test
  void aSyncedPasskeyIsSoftwareBound() throws Exception {
    SoftwarePasskey synced = new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV | SoftwarePasskey.BE);
    ApiClient browser = signedUpWith(synced);
    signInAlone(browser, synced);
    JWTClaimsSet claims = idToken(browser);
    assertEquals(List.of("swk", "user", "mfa"), claims.getStringListClaim("amr"));
    assertEquals("2", claims.getStringClaim("acr"));
  }

  @Test
  void afterAPasswordAPasskeyIsPwdAndWhereItsKeyLives() throws Exception {
    SoftwarePasskey device = new SoftwarePasskey(server.baseUrl(), SoftwarePasskey.UV);
    String email = TestAccounts.uniqueEmail();
    add(accounts.signedUp(email), device);
    ApiClient browser = accounts.pendingLogin(email);
    JsonObject options = browser.post("/api/login/passkey/options", null).json().getJsonObject("publicKey");
    ApiClient.Response answer = browser.post("/api/login/passkey", new JsonObject().put("credential", device.get(options)));
    assertEquals(200, answer.status(), answer.toString());
    JWTClaimsSet claims = idToken(browser);
    assertEquals(List.of("pwd", "hwk", "mfa"), claims.getStringListClaim("amr"));
    assertEquals("2", claims.getStringClaim("acr"));
  }

  private ApiClient signedUpWith(SoftwarePasskey device) throws Exception {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    add(browser, device);
    assertEquals(204, browser.post("/api/logout", null).status());
    return browser;
  }

  /** Adds the passkey in this (just signed up, so stepped up) session. */
  private static void add(ApiClient browser, SoftwarePasskey device) throws Exception {
    JsonObject options = browser.post("/api/passkeys/options", null).json().getJsonObject("publicKey");
    ApiClient.Response added = browser.post("/api/passkeys", new JsonObject().put("credential", device.create(options)));
    assertEquals(201, added.status(), added.toString());
  }

  private static void signInAlone(ApiClient browser, SoftwarePasskey device) throws Exception {
    JsonObject options = browser.post("/api/login/passkey-sign-in/options", null).json().getJsonObject("publicKey");
    ApiClient.Response answer = browser.post("/api/login/passkey-sign-in",
      new JsonObject().put("credential", device.get(options)));
    assertEquals(200, answer.status(), answer.toString());
    assertEquals("authenticated", answer.json().getString("state"));
  }

  private static JWTClaimsSet idToken(ApiClient browser) {
    Attempt attempt = Attempt.fresh();
    var response = RelyingParty.callback(browser.get(app.authorizePath(attempt)));
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return app.verify(((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens().getIDTokenString(), attempt.nonce());
  }
}
