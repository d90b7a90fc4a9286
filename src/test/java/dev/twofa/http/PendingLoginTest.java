package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pending login as the browser app sees it (deadline, tries left, the email), the settings it words, the
 * loginId that ties a login's steps together in Activity, and login.abandoned. The server is configured with
 * 8-digit codes and 3 tries, so nothing can pass by assuming 6 and 5.
 */
class PendingLoginTest {
  @RegisterExtension
  static TestServer server = new TestServer()
    .with("TWOFA_TOTP_DIGITS", "8")
    .with("TWOFA_PENDING_LOGIN_MAX_FAILURES", "3")
    .with("TWOFA_PENDING_LOGIN_MINUTES", "4");
  private final TestAccounts accounts = new TestAccounts(server);

  record Account(String email, byte[] key) {
  }

  @Test
  void configGivesTheNumbersTheAppPutsIntoWords() {
    JsonObject config = server.newClient().get("/api/config").json();
    assertEquals(8, config.getJsonObject("totp").getInteger("digits"));
    assertEquals("pafin Inc.", config.getJsonObject("totp").getString("issuer"));
    assertEquals("pafin", config.getJsonObject("totp").getString("accountName"));
    assertEquals(4, config.getJsonObject("pendingLogin").getInteger("minutes"));
    assertEquals(3, config.getJsonObject("pendingLogin").getInteger("maxFailures"));
    assertEquals(8, config.getJsonObject("password").getInteger("minLength"));
    assertEquals(8, config.getJsonObject("recoveryCodes").getInteger("count"));
    assertEquals("cryptact", config.getString("productName"));
  }

  @Test
  void thePendingStateTellsTheDeadlineTheTriesLeftAndWhoseLoginItIs() {
    Account account = enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    JsonObject pending = browser.get("/api/session").json().getJsonObject("pending");
    assertEquals(240, pending.getLong("secondsLeft"));
    assertEquals(3, pending.getInteger("triesLeft"));
    assertEquals(account.email(), pending.getString("email"));
    assertEquals(server.clock().instant().plus(Duration.ofMinutes(4)).toString(), pending.getString("expiresAt"));

    assertError(browser.post("/api/login/totp", code(wrongCode(account))), 401, "invalid_code");
    server.clock().advance(Duration.ofSeconds(61));
    pending = browser.get("/api/session").json().getJsonObject("pending");
    assertEquals(2, pending.getInteger("triesLeft"));
    assertEquals(179, pending.getLong("secondsLeft"));
    assertEquals("anonymous", server.newClient().get("/api/session").json().getString("state"));
    assertEquals(null, server.newClient().get("/api/session").json().getValue("pending"), "no pending field otherwise");
  }

  @Test
  void aLoginDroppedAfterTooManyWrongCodesIsAnonymousAndAbandonedInActivity() {
    Account account = enrolled();
    ApiClient stranger = accounts.pendingLogin(account.email());
    for (int i = 0; i < 3; i++) {
      assertError(stranger.post("/api/login/totp", code(wrongCode(account))), 401, "invalid_code");
    }
    assertEquals("anonymous", stranger.get("/api/session").json().getString("state"));
    assertError(stranger.post("/api/login/totp", code(currentCode(account))), 409, "no_pending_login");

    List<JsonObject> events = activity(account);
    JsonObject abandoned = first(events, "login.abandoned");
    assertEquals(false, abandoned.getBoolean("success"));
    assertEquals("too_many_codes", abandoned.getJsonObject("details").getString("reason"));
    assertEquals("3", abandoned.getJsonObject("details").getString("failures"));
    String loginId = abandoned.getJsonObject("details").getString("loginId");
    List<JsonObject> steps = events.stream().filter(e -> e.getJsonObject("details") != null
      && loginId.equals(e.getJsonObject("details").getString("loginId"))).toList();
    assertEquals(List.of("login.abandoned", "login.totp", "login.totp", "login.totp", "login.password"),
      steps.stream().map(e -> e.getString("type")).toList(), "every step of the stranger's attempt carries its loginId");
    assertEquals("required", steps.get(4).getJsonObject("details").getString("secondFactor"));
  }

  @Test
  void anExpiredLoginAnswersAnonymousAndIsReportedOnce() {
    Account account = enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    server.clock().advance(Duration.ofMinutes(4).plusSeconds(1));
    assertEquals("anonymous", browser.get("/api/session").json().getString("state"));
    assertEquals("anonymous", browser.get("/api/session").json().getString("state"));
    List<JsonObject> abandoned = activity(account).stream().filter(e -> e.getString("type").equals("login.abandoned")).toList();
    assertEquals(1, abandoned.size(), abandoned.toString());
    assertEquals("expired", abandoned.get(0).getJsonObject("details").getString("reason"));
  }

  @Test
  void anExpiredLoginMetAtItsCodeStepIsReportedToo() {
    Account account = enrolled();
    ApiClient browser = accounts.pendingLogin(account.email());
    server.clock().advance(Duration.ofMinutes(5));
    assertError(browser.post("/api/login/totp", code(currentCode(account))), 409, "no_pending_login");
    assertEquals("expired", first(activity(account), "login.abandoned").getJsonObject("details").getString("reason"));
  }

  @Test
  void bothStepsOfASuccessfulLoginShareOneLoginId() {
    Account account = enrolled();
    server.clock().advance(Duration.ofSeconds(30));
    List<JsonObject> events = activity(account);
    String totpId = first(events, "login.totp").getJsonObject("details").getString("loginId");
    String passwordId = first(events, "login.password").getJsonObject("details").getString("loginId");
    assertNotNull(totpId);
    assertEquals(passwordId, totpId);
  }

  @Test
  void theShellIsRenderedInTheChosenLanguage() throws Exception {
    assertEquals("ja", shellLanguage("ja,en-US;q=0.8", null));
    assertEquals("ja", shellLanguage("fr-FR, ja;q=0.5", null));
    assertEquals("en", shellLanguage("fr-FR", null));
    assertEquals("en", shellLanguage(null, null));
    assertEquals("en", shellLanguage("ja", "lang=en"), "the switch's cookie wins over the browser's languages");
    assertEquals("ja", shellLanguage("en", "__Host-lang=ja"));
    assertEquals("en", shellLanguage("en", "lang=xx"), "an unknown value is ignored");
  }

  private String shellLanguage(String acceptLanguage, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/login"));
    if (acceptLanguage != null) request.header("Accept-Language", acceptLanguage);
    if (cookie != null) request.header("Cookie", cookie);
    String html = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
    int at = html.indexOf("<html lang=\"");
    assertTrue(at >= 0, html);
    return html.substring(at + 12, html.indexOf('"', at + 12));
  }

  /** Signs up and enables 2FA with an 8-digit code. */
  private Account enrolled() {
    String email = TestAccounts.uniqueEmail();
    ApiClient client = accounts.signedUp(email);
    byte[] key = new Base32().decode(client.post("/api/2fa/setup", null).json().getString("secret"));
    Account account = new Account(email, key);
    assertEquals(200, client.post("/api/2fa/enable", code(currentCode(account))).status());
    server.clock().advance(Duration.ofSeconds(30));
    return account;
  }

  private String currentCode(Account account) {
    return Totp.code(account.key(), server.clock().instant().getEpochSecond() / 30, 8, "HmacSHA1");
  }

  private String wrongCode(Account account) {
    return currentCode(account).equals("00000000") ? "11111111" : "00000000";
  }

  /** Logs in with both steps (itself a login in Activity) and reads the account's Activity, newest first. */
  private List<JsonObject> activity(Account account) {
    ApiClient client = server.newClient();
    assertEquals(200, client.post("/api/login", credentials(account.email(), PASSWORD)).status());
    assertEquals(200, client.post("/api/login/totp", code(currentCode(account))).status());
    server.clock().advance(Duration.ofSeconds(30));
    JsonArray events = client.get("/api/account/activity?limit=50").json().getJsonArray("events");
    return events.stream().map(JsonObject.class::cast).collect(Collectors.toList());
  }

  private static JsonObject first(List<JsonObject> events, String type) {
    return events.stream().filter(e -> e.getString("type").equals(type)).findFirst()
      .orElseThrow(() -> new AssertionError("no " + type + " in " + events));
  }
}
