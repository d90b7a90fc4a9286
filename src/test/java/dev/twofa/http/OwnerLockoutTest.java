package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.MailCatcher;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Strangers cannot lock the owner out: a home connection's IPv6 /64 is one client for every per-address limit,
 * and past the account-wide failure ceiling only browsers that logged in to the account before (and the reset
 * link) still get in, while the owner hears of it once. Client addresses come through a trusted proxy (loopback).
 */
class OwnerLockoutTest {
  static final MailCatcher MAIL = new MailCatcher();
  private static final String CEILING_MAIL = "login.ceiling";
  private static final String NEW_PASSWORD = "quartz-meadow-lantern-2041";

  @RegisterExtension
  static final TestServer server = new TestServer().sendingMailTo(MAIL)
    .with("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32")
    .with("TWOFA_PASSWORD_MAX_FAILURES_PER_ACCOUNT", "20");
  private final TestAccounts accounts = new TestAccounts(server);

  private static ApiClient from(String ip) {
    return server.newClient().extraHeaders("X-Forwarded-For", ip);
  }

  /** The owner's browser: it created the account, proved the address and logged in to it again. */
  private ApiClient owner(String email, String ip) throws Exception {
    ApiClient browser = from(ip);
    assertEquals(201, browser.post("/api/signup", credentials(email, PASSWORD)).status());
    String token = MailCatcher.linkToken(MAIL.mailsTo(email, 1).get(0), "/verify-email");
    assertEquals(204, browser.post("/api/email/verify", new JsonObject().put("token", token)).status());
    assertEquals(204, browser.post("/api/logout", null).status());
    assertEquals("authenticated", browser.post("/api/login", credentials(email, PASSWORD)).json().getString("state"));
    assertEquals(204, browser.post("/api/logout", null).status());
    return browser;
  }

  private static int written(String email, String kind) {
    return server.query("SELECT 1 FROM mail_outbox WHERE recipient = $1 AND kind = $2", email, kind).size();
  }

  @Test
  void aHundredWrongPasswordsFromTenAddressesOfOneSlash64DoNotLockTheOwnerOut() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = owner(email, "198.51.100.20");
    int evaluated = 0;
    for (int i = 0; i < 100; i++) {
      ApiClient stranger = from("2001:db8:20:7::" + Integer.toHexString(i % 10 + 1));
      Response answer = stranger.post("/api/login", credentials(email, "wrong-password-" + i));
      assertTrue(answer.status() == 401 || answer.status() == 429, answer.toString());
      evaluated += answer.status() == 401 ? 1 : 0;
    }
    assertEquals(10, evaluated, "one /64 is one address: 10 failures per (account, address) in the window");
    Response login = owner.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    assertEquals("authenticated", login.json().getString("state"));
  }

  @Test
  void pastTheCeilingNewBrowsersAreRefusedButTheOwnersBrowserAndTheResetLinkStillWork() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = owner(email, "198.51.100.21");
    // 20 failures (the ceiling here) from 20 different /64s.
    for (int i = 0; i < 20; i++) {
      assertError(from("2001:db8:21:" + Integer.toHexString(i + 1) + "::5").post("/api/login",
        credentials(email, "wrong-password-" + i)), 401, "invalid_credentials");
    }
    for (int i = 0; i < 5; i++) {
      assertError(from("2001:db8:22:" + Integer.toHexString(i + 1) + "::5").post("/api/login", credentials(email, PASSWORD)),
        429, "rate_limited");
    }
    assertError(from("198.51.100.21").post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");

    Response login = owner.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), "the owner's own browser still logs in: " + login);
    assertEquals(204, owner.post("/api/logout", null).status());
    assertError(owner.post("/api/login", credentials(email, "a-typo-" + PASSWORD)), 401, "invalid_credentials");

    // Exactly one mail about it (written after the answer), however many more attempts are refused.
    eventually(() -> written(email, CEILING_MAIL) > 0, "the ceiling's mail");
    assertEquals(1, written(email, CEILING_MAIL));
    List<MimeMessage> mails = MAIL.mailsTo(email, 2);
    assertEquals("[cryptact] Someone is guessing your password", mails.get(mails.size() - 1).getSubject());

    // "Forgot password?" from a new browser: the link works, and the new password opens new browsers again.
    ApiClient laptop = from("198.51.100.22");
    assertEquals(202, laptop.post("/api/password-reset", new JsonObject().put("email", email)).status());
    MimeMessage reset = eventually(() -> {
      try {
        return MAIL.mailsTo(email).stream().filter(m -> subject(m).endsWith("Reset your password")).findFirst();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, java.util.Optional::isPresent, "the reset mail").orElseThrow();
    String token = MailCatcher.linkToken(reset, "/reset-password");
    assertEquals(204, laptop.post("/api/password-reset/complete",
      new JsonObject().put("token", token).put("newPassword", NEW_PASSWORD)).status());
    assertEquals("authenticated", laptop.post("/api/login", credentials(email, NEW_PASSWORD)).json().getString("state"));
    assertEquals(1, written(email, CEILING_MAIL));
  }

  @Test
  void aKnownBrowserPastTheCeilingKeepsItsOwnLimitAndASignedInOwnerStillStepsUp() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = owner(email, "198.51.100.25");
    ApiClient signedIn = from("198.51.100.25");
    assertEquals(200, signedIn.post("/api/login", credentials(email, PASSWORD)).status());
    for (int i = 0; i < 20; i++) {
      assertError(from("2001:db8:25:" + Integer.toHexString(i + 1) + "::5").post("/api/login",
        credentials(email, "wrong-password-" + i)), 401, "invalid_credentials");
    }
    assertEquals(204, signedIn.post("/api/step-up", new JsonObject().put("password", PASSWORD)).status(),
      "a signed-in session's re-check is never refused by the ceiling");

    // The owner's browser, wherever it goes, has 10 failures per window of its own.
    for (int i = 0; i < 10; i++) {
      owner.extraHeaders("X-Forwarded-For", "2001:db8:26:" + Integer.toHexString(i + 1) + "::5");
      assertError(owner.post("/api/login", credentials(email, "wrong-password-" + i)), 401, "invalid_credentials");
    }
    owner.extraHeaders("X-Forwarded-For", "2001:db8:26:ff::5");
    assertError(owner.post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");
  }

  @Test
  void concurrentWrongPasswordsCannotOvershootTheFailureLimit() {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, from("198.51.100.23").post("/api/signup", credentials(email, PASSWORD)).status());
    List<ApiClient> strangers = IntStream.range(0, 30).mapToObj(i -> from("2001:db8:23:1::" + (i + 1))).toList();
    strangers.forEach(ApiClient::xsrfToken);
    List<CompletableFuture<Response>> answers = strangers.stream()
      .map(s -> s.postAsync("/api/login", credentials(email, "wrong-password"))).toList();
    List<Integer> statuses = answers.stream().map(CompletableFuture::join).map(Response::status).toList();
    long evaluated = statuses.stream().filter(s -> s == 401).count();
    assertTrue(statuses.stream().allMatch(s -> s == 401 || s == 429 || s == 503), statuses.toString());
    assertTrue(evaluated <= 10 && evaluated > 0, "at most 10 checked: " + statuses);
    assertEquals(10, server.query("SELECT 1 FROM throttle_attempts WHERE key LIKE 'password:account-address:' || $1 || '%'",
      email).size());
  }

  @Test
  void concurrentWrongStepUpPasswordsCannotOvershootTheSessionsLimit() {
    String email = TestAccounts.uniqueEmail();
    ApiClient session = from("198.51.100.27");
    assertEquals(201, session.post("/api/signup", credentials(email, PASSWORD)).status());
    List<Integer> statuses = IntStream.range(0, 24)
      .mapToObj(i -> session.postAsync("/api/step-up", new JsonObject().put("password", "wrong-" + i))).toList()
      .stream().map(CompletableFuture::join).map(Response::status).toList();
    assertTrue(statuses.stream().allMatch(s -> s == 401 || s == 429 || s == 503), statuses.toString());
    assertTrue(statuses.stream().filter(s -> s == 401).count() <= 10, "at most 10 checked: " + statuses);
  }

  @Test
  void concurrentRightAndWrongPasswordsFromOneAddressAreEachAnsweredAndGiveBackWhatSucceeded() {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = from("2001:db8:24::1");
    assertEquals(201, owner.post("/api/signup", credentials(email, PASSWORD)).status());
    List<ApiClient> tabs = IntStream.range(0, 16).mapToObj(i -> owner.sameBrowserAt(server.baseUrl())).toList();
    List<Integer> statuses = IntStream.range(0, tabs.size())
      .mapToObj(i -> tabs.get(i).postAsync("/api/login", credentials(email, i % 2 == 0 ? PASSWORD : "wrong-" + i)))
      .toList().stream().map(CompletableFuture::join).map(Response::status).toList();
    assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 401 || s == 429), statuses.toString());
    long failed = statuses.stream().filter(s -> s == 401).count();
    assertEquals(failed, server.query("SELECT 1 FROM throttle_attempts WHERE key = $1", "password:account:" + email).size(),
      "each success gave back its reservation, each failure stays counted: " + statuses);
  }

  private static String subject(MimeMessage mail) {
    try {
      return mail.getSubject();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
