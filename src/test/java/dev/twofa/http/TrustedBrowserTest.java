package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.Eventually;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Don't ask for a code on this browser": a browser its owner trusted at a code step skips only the code step of
 * that account's later logins; never the password, never a step-up; a trust of another account does nothing; it
 * ends when removed and with each of the five security events; and a removal racing logins leaves none behind.
 * (OpenID Connect requests that ask for the code: {@link TrustedBrowserOidcTest}.)
 */
class TrustedBrowserTest {
  static final MailCatcher MAIL = new MailCatcher();

  @RegisterExtension
  static TestServer server = new TestServer().sendingMailTo(MAIL);
  private final TestAccounts accounts = new TestAccounts(server);

  /** A browser that logged in with the app's code, ticking "Don't ask for a code on this browser", then logged out. */
  private ApiClient trusted(Enrolled account) {
    ApiClient browser = accounts.pendingLogin(account.email());
    Response step = browser.post("/api/login/totp", code(accounts.currentCode(account)).put("trustBrowser", true));
    assertEquals(200, step.status(), step.toString());
    accounts.nextStep();
    assertEquals(204, browser.post("/api/logout", null).status());
    return browser;
  }

  /** A browser logged in with the app's code (not trusted): it stepped up by logging in. */
  private ApiClient withCode(Enrolled account) {
    ApiClient browser = accounts.pendingLogin(account.email());
    assertEquals(200, browser.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    return browser;
  }

  private static String state(ApiClient browser, String email, String password) {
    Response login = browser.post("/api/login", credentials(email, password));
    assertEquals(200, login.status(), login.toString());
    return login.json().getString("state");
  }

  private static String state(ApiClient browser, String email) {
    return state(browser, email, PASSWORD);
  }

  /** The account's trusts that can still count (the rule the trust room's SQL applies, read here for the events whose account cannot log in afterwards). */
  private static int liveTrusts(String email) {
    return server.query("""
        SELECT 1 FROM trusted_browsers t JOIN users u ON u.id = t.user_id
        WHERE u.email = $1 AND t.epoch = u.session_epoch
        """, email).size();
  }

  @Test
  void aTrustedBrowserSkipsTheCodeStepOfItsAccountsLogins() throws Exception {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    assertEquals("authenticated", state(browser, account.email()));
    JsonArray list = browser.get("/api/trusted-browsers").json().getJsonArray("trustedBrowsers");
    assertEquals(1, list.size(), list.encode());
    assertEquals(true, list.getJsonObject(0).getBoolean("current"));
    assertEquals("Linux", list.getJsonObject(0).getJsonObject("browser").getString("system"));
    assertEquals("pending_2fa", state(server.newClient(), account.email()), "another browser is asked for the code");

    // Not ticked: the browser is not trusted.
    ApiClient other = withCode(account);
    other.post("/api/logout", null);
    assertEquals("pending_2fa", state(other, account.email()));

    JsonArray events = Eventually.eventually(() -> browser.get("/api/account/activity").json().getJsonArray("events"),
      page -> page.stream().map(JsonObject.class::cast).anyMatch(TrustedBrowserTest::skipped), "the trusted login in Activity");
    assertTrue(events.stream().map(JsonObject.class::cast).filter(TrustedBrowserTest::skipped)
      .allMatch(e -> e.getBoolean("success")), events.encode());
  }

  private static long count(JsonArray events, String type) {
    return events.stream().map(JsonObject.class::cast).filter(e -> type.equals(e.getString("type"))).count();
  }

  private static boolean skipped(JsonObject event) {
    return "login.password".equals(event.getString("type")) && event.getJsonObject("details") != null
      && "trusted_browser".equals(event.getJsonObject("details").getString("secondFactor"));
  }

  @Test
  void aTrustedBrowserNeverSkipsThePassword() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    assertError(browser.post("/api/login", credentials(account.email(), "not-the-password-1")), 401, "invalid_credentials");
    assertError(browser.get("/api/account"), 401, "unauthenticated");
  }

  @Test
  void aTrustedBrowserNeverSkipsAStepUp() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    assertEquals("authenticated", state(browser, account.email()));
    // A login with a code counts as a step-up for its window; one that skipped the code does not.
    assertError(browser.post("/api/2fa/recovery-codes", null), 403, "step_up_required");
    assertError(browser.post("/api/2fa/change/start", null), 403, "step_up_required");
    Response passwordOnly = browser.post("/api/step-up", new JsonObject().put("password", PASSWORD));
    assertNotEquals(204, passwordOnly.status(), passwordOnly.toString());
    accounts.stepUp(browser, account);
    assertEquals(200, browser.post("/api/2fa/recovery-codes", null).status());
  }

  @Test
  void aTrustOfAnotherAccountDoesNothing() {
    Enrolled mine = accounts.enrolled();
    Enrolled theirs = accounts.enrolled();
    ApiClient browser = trusted(mine);
    assertEquals("pending_2fa", state(browser, theirs.email()));
    browser.post("/api/logout", null);
    assertEquals("authenticated", state(browser, mine.email()), "still trusted for its own account");
  }

  @Test
  void removedOneByOneOrAllAtOnce() throws Exception {
    Enrolled account = accounts.enrolled();
    ApiClient laptop = trusted(account);
    ApiClient phone = trusted(account);
    assertEquals("authenticated", state(laptop, account.email()));
    JsonArray list = laptop.get("/api/trusted-browsers").json().getJsonArray("trustedBrowsers");
    assertEquals(2, list.size());
    String phoneId = list.stream().map(JsonObject.class::cast).filter(b -> !b.getBoolean("current")).findFirst()
      .orElseThrow().getString("id");

    Response removed = laptop.post("/api/trusted-browsers/remove", new JsonObject().put("id", phoneId));
    assertEquals(200, removed.status(), removed.toString());
    assertEquals(1, removed.json().getJsonArray("trustedBrowsers").size());
    assertEquals("pending_2fa", state(phone, account.email()));
    assertError(laptop.post("/api/trusted-browsers/remove", new JsonObject().put("id", phoneId)), 404, "not_found");
    assertError(laptop.post("/api/trusted-browsers/remove", new JsonObject().put("id", "not-an-id")), 404, "not_found");

    // Another account cannot remove this account's trust by its id.
    Enrolled stranger = accounts.enrolled();
    ApiClient strangers = withCode(stranger);
    String laptopId = laptop.get("/api/trusted-browsers").json().getJsonArray("trustedBrowsers").getJsonObject(0).getString("id");
    assertError(strangers.post("/api/trusted-browsers/remove", new JsonObject().put("id", laptopId)), 404, "not_found");

    assertEquals(0, laptop.post("/api/trusted-browsers/remove-all", null).json().getJsonArray("trustedBrowsers").size());
    // Each trust and each removal is a security event: two trusted, one removed, then the rest at once.
    JsonArray events = Eventually.eventually(() -> laptop.get("/api/account/activity").json().getJsonArray("events"),
      page -> count(page, "trusted_browser.removed") == 2, "both removals in Activity");
    assertEquals(2, count(events, "trusted_browser.added"), events.encode());
    laptop.post("/api/logout", null);
    assertEquals("pending_2fa", state(laptop, account.email()));
    assertError(server.newClient().get("/api/trusted-browsers"), 401, "unauthenticated");
  }

  @Test
  void aPasswordChangeEndsEveryTrust() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    ApiClient owner = withCode(account);
    String newPassword = "quince-amber-lantern-2026";
    Response changed = owner.post("/api/account/password",
      new JsonObject().put("currentPassword", PASSWORD).put("newPassword", newPassword));
    assertEquals(204, changed.status(), changed.toString());
    assertEquals("pending_2fa", state(browser, account.email(), newPassword));
    assertEquals(0, liveTrusts(account.email()));
  }

  @Test
  void aNewAuthenticatorEndsEveryTrust() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    ApiClient owner = withCode(account);
    String secret = owner.post("/api/2fa/change/start", null).json().getString("secret");
    Response changed = owner.post("/api/2fa/change/confirm", code(Totp.code(secret, server.clock().instant())));
    assertEquals(200, changed.status(), changed.toString());
    assertEquals("pending_2fa", state(browser, account.email()));
  }

  @Test
  void removingAPasskeyEndsEveryTrust() {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    ApiClient owner = withCode(account);
    // A passkey row as registration stores one (removal reads nothing but the row).
    UUID id = UUID.randomUUID();
    server.query("""
        INSERT INTO passkeys (id, user_id, credential_id, public_key, sign_count, name, created_at)
        SELECT $1, id, $2, $3, 0, 'Phone', now() FROM users WHERE email = $4
        """, id, io.vertx.core.buffer.Buffer.buffer(new byte[] {1, 2, 3}), io.vertx.core.buffer.Buffer.buffer(new byte[] {4}),
      account.email());
    Response removed = owner.post("/api/passkeys/remove", new JsonObject().put("id", id.toString()));
    assertEquals(200, removed.status(), removed.toString());
    assertEquals("pending_2fa", state(browser, account.email()));
  }

  @Test
  void thisWasntMeEndsEveryTrust() throws Exception {
    Enrolled account = accounts.enrolled();
    trusted(account);
    assertEquals(1, liveTrusts(account.email()));
    // The newest security notice ("2FA is on") carries the link.
    List<MimeMessage> mails = MAIL.mailsTo(account.email(), 2);
    String token = MailCatcher.linkToken(mails.get(mails.size() - 1), "/secure-account");
    assertEquals(204, server.newClient().post("/api/secure-account", new JsonObject().put("token", token)).status());
    assertEquals(0, liveTrusts(account.email()));
  }

  @Test
  void aSupportResetEndsEveryTrust() throws Exception {
    Enrolled account = accounts.enrolled();
    trusted(account);
    assertEquals(1, liveTrusts(account.email()));
    TestAccounts.Staff staff = accounts.steppedUpStaff();
    Response reset = staff.client().post("/api/support/users/disable-2fa", new JsonObject().put("email", account.email())
      .put("reason", "Lost phone and printed codes in a move").put("verification", "Video call matched ID"));
    assertEquals(200, reset.status(), reset.toString());
    assertEquals(0, liveTrusts(account.email()));
    // Turned on again, 2FA asks this browser for the code as any other.
    ApiClient again = server.newClient();
    assertEquals("authenticated", state(again, account.email()));
    accounts.enrolled(again, account.email());
    assertEquals(0, liveTrusts(account.email()));
  }

  @Test
  void aRemovalRacingLoginsLeavesNoTrustBehind() throws Exception {
    Enrolled account = accounts.enrolled();
    ApiClient browser = trusted(account);
    ApiClient owner = withCode(account);
    List<CompletableFuture<Response>> logins = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      logins.add(browser.postAsync("/api/login", credentials(account.email(), PASSWORD)));
    }
    Response removed = owner.post("/api/trusted-browsers/remove-all", null);
    for (CompletableFuture<Response> login : logins) {
      Response answer = login.get();
      assertEquals(200, answer.status(), answer.toString());
      assertTrue(List.of("authenticated", "pending_2fa").contains(answer.json().getString("state")), answer.toString());
    }
    assertEquals(200, removed.status(), removed.toString());
    assertEquals(0, removed.json().getJsonArray("trustedBrowsers").size());
    assertEquals(0, server.query("SELECT 1 FROM trusted_browsers t JOIN users u ON u.id = t.user_id WHERE u.email = $1",
      account.email()).size());
    assertEquals("pending_2fa", state(browser, account.email()), "once removed, the next login asks for the code");
  }
}
