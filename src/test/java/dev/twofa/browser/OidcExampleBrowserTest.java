package dev.twofa.browser;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import cryptact.CryptactApp;
import cryptact.Settings;
import cryptact.Words;
import dev.twofa.support.Browser;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The whole flow from the example application's page (examples/cryptact, vertx-auth-oauth2 as its client
 * library, running in this JVM on loopback): "Log in to cryptact" with the password and the app's code, back on
 * cryptact as "2FA: yes", "Confirm with 2FA" (max_age=0) asking for both again, Account settings on twofa with
 * the app in "Apps you've logged in to" and Remove access, and Log out; in English and Japanese.
 */
class OidcExampleBrowserTest {
  @RegisterExtension
  static final TestServer server = new TestServer().withPublicUrlAtItsAddress();
  private static Vertx vertx;
  private static String cryptact;
  private static String clientId;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void startCryptact() throws Exception {
    int port = TestServer.freePort();
    cryptact = "http://127.0.0.1:" + port;
    RelyingParty registered = RelyingParty.register(server, "cryptact", false, true, URI.create(cryptact + "/callback"));
    clientId = registered.clientId.getValue();
    Settings settings = Settings.from(Map.of("CRYPTACT_ISSUER", server.baseUrl(), "CRYPTACT_URL", cryptact,
      "CRYPTACT_CLIENT_ID", registered.clientId.getValue(), "CRYPTACT_CLIENT_SECRET", registered.secret.getValue()));
    vertx = Vertx.vertx();
    TestServer.await(vertx.deployVerticle(new CryptactApp(settings)));
  }

  @AfterAll
  static void stopCryptact() {
    TestServer.await(vertx.close());
  }

  @Test
  void english() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "en")) {
      walk(browser, "en");
    }
  }

  @Test
  void japanese() throws Exception {
    try (Browser browser = new Browser(server.baseUrl(), "ja")) {
      walk(browser, "ja");
    }
  }

  /**
   * cryptact's back-channel receiver takes only a logout_token twofa signed: none, or one with every claim right but
   * signed by another key, is a 400 and ends no session.
   */
  @Test
  void aLogoutTokenNotSignedByTwofaIsRefused() throws Exception {
    assertEquals(400, backChannel("").statusCode());
    RSAKey foreign = new RSAKeyGenerator(2048).keyID("foreign").generate();
    Instant now = Instant.now();
    SignedJWT token = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("foreign")
      .type(new JOSEObjectType("logout+jwt")).build(), new JWTClaimsSet.Builder().issuer(server.baseUrl())
      .audience(clientId).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(120)))
      .jwtID(UUID.randomUUID().toString()).subject("someone").claim("sid", "a-session")
      .claim("events", Map.of("http://schemas.openid.net/event/backchannel-logout", Map.of())).build());
    token.sign(new RSASSASigner(foreign));
    HttpResponse<String> refused = backChannel("logout_token=" + token.serialize());
    assertEquals(400, refused.statusCode(), refused.body());
    assertEquals("invalid_request", new io.vertx.core.json.JsonObject(refused.body()).getString("error"));
    assertEquals("no-store", refused.headers().firstValue("Cache-Control").orElse(""));
  }

  private static HttpResponse<String> backChannel(String form) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cryptact + "/backchannel-logout"))
      .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
      HttpResponse.BodyHandlers.ofString());
  }

  private void walk(Browser browser, String language) throws Exception {
    TestAccounts.Enrolled account = accounts.enrolled();
    clockAtRealTime();
    browser.openAddress(cryptact + "/");
    browser.waitForText(Words.get(language, "loggedOut"));
    browser.assertCleanWalk(browser.inspect("cryptact-logged-out"));
    browser.click(Words.get(language, "logIn"));

    browser.waitForHeading(browser.t("login.titleFor", "client", "cryptact"));
    browser.assertCleanWalk(browser.inspect("cryptact-login"));
    logIn(browser, account);
    String loggedIn = Words.get(language, "loggedIn").replace("{email}", account.email());
    browser.waitForHeading(loggedIn);
    assertEquals(twoFactor(language, "yes"), browser.find("#two-factor").getText());
    browser.assertCleanWalk(browser.inspect("cryptact"));

    // Confirm with 2FA: max_age=0 and acr_values=2, so both factors again even though twofa has a session.
    clockAtRealTime();
    browser.click(Words.get(language, "confirm"));
    browser.waitForHeading(browser.t("login.titleFor", "client", "cryptact"));
    logIn(browser, account);
    browser.waitForText(Words.get(language, "confirmed"));
    browser.waitForHeading(loggedIn);
    browser.assertCleanWalk(browser.inspect("cryptact-confirmed"));

    // Account settings: the app is listed with its last login, Activity says "Logged in to cryptact", and Remove
    // access takes it off the list and into Activity.
    browser.click(Words.get(language, "account"));
    browser.waitForHeading(browser.t("account.title"));
    browser.waitForText(browser.t("apps.title"));
    browser.waitForText(browser.t("event.oidc.login", "client", "cryptact"));
    browser.assertCleanWalk(browser.inspect("account-apps"));
    browser.click(browser.t("apps.remove"));
    browser.waitForText(browser.t("apps.removed"));
    browser.reload();
    browser.waitForText(browser.t("event.oidc.access_removed", "client", "cryptact"));
    assertFalse(browser.hasText(browser.t("apps.title")), "no app left, no card");
    browser.drainConsole();

    // Log out: at twofa when it offers RP-initiated logout; either way cryptact's session is over.
    browser.openAddress(cryptact + "/");
    browser.click(Words.get(language, "logOut"));
    browser.openAddress(cryptact + "/");
    browser.waitForText(Words.get(language, "loggedOut"));
    browser.drainConsole();
  }

  private static void logIn(Browser browser, TestAccounts.Enrolled account) {
    if (browser.input(browser.t("field.email")).isEnabled()) {
      browser.fill(browser.t("field.email"), account.email());
    }
    browser.fill(browser.t("field.password"), TestAccounts.PASSWORD);
    browser.click(browser.t("login.submit"));
    browser.waitForHeading(browser.t("totp.title"));
    browser.input(browser.t("totp.codeLabel", "digits", 6)).sendKeys(Totp.code(account.secret(), server.clock().instant()));
  }

  /**
   * cryptact checks the ID token's times against its own (real) clock, so the server's clock is moved to about
   * real time, in the middle of a TOTP step later than any used before (a code is accepted once).
   */
  private static void clockAtRealTime() {
    long step = Math.max(Instant.now().getEpochSecond() / 30, server.clock().instant().getEpochSecond() / 30 + 1);
    server.clock().set(Instant.ofEpochSecond(step * 30 + 15));
  }

  private static String twoFactor(String language, String answer) {
    return Words.get(language, "twoFactor").replace("{answer}", Words.get(language, answer));
  }
}
