package dev.twofa.http;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.RelyingParty;
import dev.twofa.support.RelyingParty.Attempt;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * TWOFA_REQUIRE_2FA=all with the default 14 days' grace: a countdown while it lasts (and nothing held), reminder
 * mails seven days before and on the last day, then a login that leads only to the set-up (the API answers
 * two_factor_required to everything else) and on to the application that was waiting, whose acr is "1" until then;
 * an account with 2FA is never held.
 */
class RequiredTwoFactorTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static TestServer server = new TestServer().sendingMailTo(MAIL).withPublicUrlAtItsAddress()
    .with("TWOFA_REQUIRE_2FA", "all").with("TWOFA_PURGE_EVERY_SECONDS", "1");
  private static RelyingParty app;
  private final TestAccounts accounts = new TestAccounts(server);

  @BeforeAll
  static void registerTheApplication() {
    app = RelyingParty.register(server, "cryptact", false, true);
  }

  private static JsonObject requirement(ApiClient browser) {
    Response answer = browser.get("/api/account/two-factor-requirement");
    assertEquals(200, answer.status(), answer.toString());
    return answer.json();
  }

  private static ApiClient loggedIn(String email) {
    ApiClient browser = server.newClient();
    Response login = browser.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    assertEquals("authenticated", login.json().getString("state"));
    return browser;
  }

  @Test
  void theGracePeriodCountsDownAndHoldsNothing() {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    JsonObject due = requirement(browser);
    assertEquals(true, due.getBoolean("required"));
    assertEquals(14, due.getInteger("daysLeft"));
    assertEquals(false, due.getBoolean("held"));
    assertEquals(200, browser.get("/api/account").status());
    assertEquals(200, browser.get("/api/account/sessions").status());
    server.clock().advance(Duration.ofDays(3));
    assertEquals(11, requirement(loggedIn(email)).getInteger("daysLeft"), "counted from when the rule first applied");
  }

  @Test
  void requestsAtOnceStampOneStartOfTheGracePeriod() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    List<CompletableFuture<JsonObject>> answers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      answers.add(CompletableFuture.supplyAsync(() -> requirement(browser)));
    }
    Set<String> dueAts = new HashSet<>();
    for (CompletableFuture<JsonObject> answer : answers) {
      dueAts.add(answer.get().getString("dueAt"));
    }
    assertEquals(1, dueAts.size(), dueAts.toString());
    assertEquals(1, server.query("SELECT 1 FROM two_factor_requirements r JOIN users u ON u.id = r.user_id WHERE u.email = $1",
      email).size());
  }

  @Test
  void pastItALoginLeadsOnlyToTheSetUp() {
    String email = TestAccounts.uniqueEmail();
    requirement(accounts.signedUp(email));
    server.clock().advance(Duration.ofDays(15));
    ApiClient browser = loggedIn(email);
    assertEquals(true, requirement(browser).getBoolean("held"));
    assertError(browser.get("/api/account"), 403, "two_factor_required");
    assertError(browser.get("/api/account/sessions"), 403, "two_factor_required");
    assertError(browser.get("/api/account/activity"), 403, "two_factor_required");
    assertError(browser.get("/api/trusted-browsers"), 403, "two_factor_required");
    assertError(browser.post("/api/2fa/recovery-codes", null), 403, "two_factor_required");

    Response setup = browser.post("/api/2fa/setup", null);
    assertEquals(200, setup.status(), setup.toString());
    Response enabled = browser.post("/api/2fa/enable", code(Totp.code(setup.json().getString("secret"), server.clock().instant())));
    assertEquals(200, enabled.status(), enabled.toString());
    assertEquals(200, browser.get("/api/account").status());
    assertEquals(false, requirement(browser).getBoolean("required"));
    assertEquals(204, browser.post("/api/logout", null).status(), "logout is never held");
  }

  @Test
  void anAccountWith2faIsNeverHeld() {
    Enrolled account = accounts.enrolled();
    server.clock().advance(Duration.ofDays(30));
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    assertEquals(false, requirement(browser).getBoolean("required"));
    assertEquals(200, browser.get("/api/account").status());
    assertEquals(0, server.query("""
        SELECT 1 FROM two_factor_requirements r JOIN users u ON u.id = r.user_id WHERE u.email = $1
        """, account.email()).size(), "never stamped");
  }

  @Test
  void remindersGoOutSevenDaysBeforeAndOnTheLastDay() throws Exception {
    String email = TestAccounts.uniqueEmail();
    requirement(accounts.signedUp(email));
    String japanese = TestAccounts.uniqueEmail();
    ApiClient inJapanese = server.newClient().extraHeaders("Accept-Language", "ja");
    assertEquals(201, inJapanese.post("/api/signup", credentials(japanese, PASSWORD)).status());
    requirement(inJapanese);
    assertEquals(1, MAIL.mailsTo(email, 1).size(), "only the verification mail so far");
    server.clock().advance(Duration.ofDays(7));
    MimeMessage week = reminder(email, 2, "Turn on two-factor authentication");
    assertTrue(MailCatcher.body(week).contains("within 7 days"), MailCatcher.body(week));
    assertTrue(MailCatcher.body(week).contains("/2fa/setup"), MailCatcher.body(week));
    MimeMessage weekJa = reminder(japanese, 2, "2段階認証を有効にしてください");
    assertTrue(MailCatcher.plainText(weekJa).contains("あと7日以内"), MailCatcher.plainText(weekJa));
    server.clock().advance(Duration.ofDays(6));
    MimeMessage last = reminder(email, 3, "Turn on two-factor authentication");
    assertTrue(MailCatcher.body(last).contains("within 1 day "), MailCatcher.body(last));
    assertTrue(MailCatcher.plainText(reminder(japanese, 3, "2段階認証を有効にしてください")).contains("あと1日以内"));
  }

  private static MimeMessage reminder(String email, int n, String subject) throws Exception {
    List<MimeMessage> mails = MAIL.mailsTo(email, n);
    assertEquals(n, mails.size(), "one reminder each time");
    MimeMessage mail = mails.get(n - 1);
    assertEquals("[cryptact] " + subject, mail.getSubject());
    return mail;
  }

  @Test
  void anApplicationSeesAcr1UntilThenAndWaitsForTheSetUpAfter() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    requirement(browser);
    Attempt during = Attempt.fresh();
    AuthorizationResponse granted = RelyingParty.callback(browser.get(app.authorizePath(during)));
    assertTrue(granted.indicatesSuccess(), granted.toString());
    assertEquals("1", idToken(granted, during).getStringClaim("acr"));

    server.clock().advance(Duration.ofDays(15));
    ApiClient held = loggedIn(email);
    Attempt after = Attempt.fresh();
    Response toSetUp = held.get(app.authorizePath(after));
    String location = toSetUp.header("Location");
    assertTrue(location != null && location.startsWith("/2fa/setup?authorization="), toSetUp.toString());
    String id = location.substring(location.indexOf('=') + 1);
    assertTrue(held.get("/authorize/resume?authorization=" + id).header("Location").startsWith("/2fa/setup?authorization="),
      "no code before 2FA is on");

    String secret = held.post("/api/2fa/setup", null).json().getString("secret");
    assertEquals(200, held.post("/api/2fa/enable", code(Totp.code(secret, server.clock().instant()))).status());
    AuthorizationResponse resumed = RelyingParty.callback(held.get("/authorize/resume?authorization=" + id));
    assertTrue(resumed.indicatesSuccess(), resumed.toString());
    assertEquals("2", idToken(resumed, after).getStringClaim("acr"));
  }

  private static JWTClaimsSet idToken(AuthorizationResponse response, Attempt attempt) throws Exception {
    HTTPResponse http = app.exchange(response.toSuccessResponse().getAuthorizationCode(), attempt.verifier());
    assertEquals(200, http.getStatusCode(), http.getBody());
    return app.verify(((OIDCTokenResponse) RelyingParty.parse(http)).getOIDCTokens().getIDTokenString(), attempt.nonce());
  }
}
