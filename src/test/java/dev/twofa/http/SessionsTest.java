package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.codec.digest.DigestUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Base64;
import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sessions as rows owned by auth: listed, revoked, expired under a controlled clock, purged by auth's timer (every
 * second here), kept across a restart.
 */
class SessionsTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_PURGE_EVERY_SECONDS", "1");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void theUserSeesWhereTheyAreLoggedInAndCanLogOutOneOrAllOthers() {
    String email = TestAccounts.uniqueEmail();
    ApiClient laptop = accounts.signedUp(email);
    ApiClient phone = loggedIn(email);
    ApiClient tablet = loggedIn(email);

    JsonArray sessions = sessions(laptop);
    assertEquals(3, sessions.size(), sessions.encodePrettily());
    List<JsonObject> current = sessions.stream().map(JsonObject.class::cast).filter(s -> s.getBoolean("current")).toList();
    assertEquals(1, current.size(), "exactly one is this browser");
    for (Object s : sessions) {
      JsonObject session = (JsonObject) s;
      assertEquals("127.0.0.1", session.getString("ip"));
      assertEquals(ApiClient.USER_AGENT, session.getString("userAgent"));
      assertEquals(new JsonObject().putNull("name").put("system", "Linux"), session.getJsonObject("browser"),
        "the server's one reading of the User-Agent");
      assertFalse(session.getBoolean("secondFactor"));
      for (ApiClient browser : List.of(laptop, phone, tablet)) {
        assertNotEquals(browser.cookie("twofa.session"), session.getString("id"), "the id is not the cookie's value");
      }
    }

    // Log out the phone from the laptop: its next request is refused, the others go on.
    String phoneId = sessions(phone).stream().map(JsonObject.class::cast).filter(s -> s.getBoolean("current"))
      .findFirst().orElseThrow().getString("id");
    assertEquals(204, laptop.post("/api/account/sessions/revoke", new JsonObject().put("id", phoneId)).status());
    assertError(phone.get("/api/account"), 401, "unauthenticated");
    assertEquals("anonymous", phone.get("/api/session").json().getString("state"));
    assertEquals(200, tablet.get("/api/account").status());
    assertError(laptop.post("/api/account/sessions/revoke", new JsonObject().put("id", phoneId)), 404, "session_not_found");

    // Log out every other session: that needs a fresh password (a stolen session must not throw the owner out), once
    // the login is older than the step-up window.
    server.clock().advance(java.time.Duration.ofMinutes(11));
    assertError(laptop.post("/api/account/sessions/revoke-others", null), 403, "step_up_required");
    accounts.stepUp(laptop);
    assertEquals(204, laptop.post("/api/account/sessions/revoke-others", null).status());
    assertError(tablet.get("/api/account"), 401, "unauthenticated");
    assertEquals(1, sessions(laptop).size());
    assertEquals(200, laptop.get("/api/account").status());

    List<String> types = laptop.get("/api/account/activity").json().getJsonArray("events").stream()
      .map(e -> ((JsonObject) e).getString("type")).toList();
    assertTrue(types.containsAll(List.of("session.revoked", "sessions.revoked_others")), types.toString());
  }

  @Test
  void newRecoveryCodesEndEveryOtherSessionAndPendingLoginOfTheAccountButNotThisOne() {
    String email = TestAccounts.uniqueEmail();
    ApiClient laptop = accounts.signedUp(email);
    TestAccounts.Enrolled account = accounts.enrolled(laptop, email);
    ApiClient phone = accounts.pendingLogin(email);
    assertEquals(200, phone.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    ApiClient tablet = accounts.pendingLogin(email);
    assertEquals(200, tablet.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    ApiClient halfway = accounts.pendingLogin(email);
    ApiClient stranger = accounts.signedUp(TestAccounts.uniqueEmail());
    assertEquals(3, sessions(laptop).size());

    accounts.stepUp(laptop, account);
    Response regenerated = laptop.post("/api/2fa/recovery-codes", null);
    assertEquals(200, regenerated.status(), regenerated.toString());
    assertError(phone.get("/api/account"), 401, "unauthenticated");
    assertError(tablet.get("/api/account"), 401, "unauthenticated");
    assertError(halfway.post("/api/login/totp", code(accounts.currentCode(account))), 409, "no_pending_login");
    assertEquals(1, sessions(laptop).size());
    assertEquals(200, laptop.get("/api/account").status(), "this session stays");
    assertEquals(200, stranger.get("/api/account").status(), "another account's session stays");
  }

  @Test
  void nobodyRevokesAnotherUsersSessionAndBadIdsAreRefusedCleanly() {
    String alice = TestAccounts.uniqueEmail();
    ApiClient aliceBrowser = accounts.signedUp(alice);
    ApiClient mallory = accounts.signedUp(TestAccounts.uniqueEmail());
    String aliceId = sessions(aliceBrowser).getJsonObject(0).getString("id");
    assertError(mallory.post("/api/account/sessions/revoke", new JsonObject().put("id", aliceId)), 404, "session_not_found");
    assertError(mallory.post("/api/account/sessions/revoke", new JsonObject().put("id", "not-a-uuid")), 404, "session_not_found");
    assertError(mallory.post("/api/account/sessions/revoke", new JsonObject().put("id", 42)), 400, "invalid_request");
    assertEquals(200, aliceBrowser.get("/api/account").status(), "alice's session is untouched");
    assertError(server.newClient().get("/api/account/sessions"), 401, "unauthenticated");
    assertError(server.newClient().post("/api/account/sessions/revoke-others", null), 401, "unauthenticated");
  }

  @Test
  void aTwoFactorLoginIsMarkedAndAPendingLoginIsNotASession() {
    TestAccounts.Enrolled account = accounts.enrolled();
    ApiClient pending = accounts.pendingLogin(account.email());
    assertError(pending.get("/api/account/sessions"), 401, "unauthenticated");
    assertEquals(200, pending.post("/api/login/totp", code(accounts.currentCode(account))).status());
    JsonObject mine = sessions(pending).stream().map(JsonObject.class::cast).filter(s -> s.getBoolean("current"))
      .findFirst().orElseThrow();
    assertTrue(mine.getBoolean("secondFactor"));
  }

  @Test
  void anIdleSessionEndsAfterTheIdleTimeout() {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    server.clock().advance(Duration.ofMinutes(29));
    assertEquals(200, browser.get("/api/account").status(), "29 minutes idle is fine");
    server.clock().advance(Duration.ofMinutes(29));
    assertEquals(200, browser.get("/api/account").status(), "use moved the idle limit on");
    server.clock().advance(Duration.ofMinutes(31));
    assertError(browser.get("/api/account"), 401, "unauthenticated");
  }

  @Test
  void anActiveSessionEndsAtItsAbsoluteLimitOfTwelveHours() {
    ApiClient browser = accounts.signedUp(TestAccounts.uniqueEmail());
    for (int i = 0; i < 28; i++) {
      server.clock().advance(Duration.ofMinutes(25));
      assertEquals(200, browser.get("/api/account").status(), "active at " + (i + 1) * 25 + " minutes");
    }
    server.clock().advance(Duration.ofMinutes(21));   // 11 h 61 min = 12 h 1 min after the sign-up
    assertError(browser.get("/api/account"), 401, "unauthenticated");
  }

  @Test
  void theDatabaseHoldsOnlyTheHashOfACookie() {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    String cookie = browser.cookie("twofa.session");
    String dump = server.query("SELECT string_agg(s::text, E'\\n') AS dump FROM sessions s").get(0).getString("dump");
    assertFalse(dump.contains(cookie), "the cookie's value is not stored");
    byte[] raw = Base64.getUrlDecoder().decode(cookie);
    assertEquals(32, raw.length, "256 random bits");
    assertFalse(dump.toLowerCase().contains(org.apache.commons.codec.binary.Hex.encodeHexString(raw)));
    assertEquals(1, sessionRows(browser), "its SHA-256 is");
  }

  @Test
  void expiredSessionsAndPendingLoginsAndOldThrottleRowsArePurgedOnTheSchedule() throws Exception {
    ApiClient idle = accounts.signedUp(TestAccounts.uniqueEmail());
    TestAccounts.Enrolled account = accounts.enrolled();
    accounts.pendingLogin(account.email());
    String oldGuess = TestAccounts.uniqueEmail();
    assertError(server.newClient().post("/api/login", credentials(oldGuess, "wrong-password")), 401, "invalid_credentials");
    assertEquals(1, sessionRows(idle));
    assertEquals(1, pendingLogins(account.email()));
    assertEquals(3, throttleRows(oldGuess), "per account, per (account, address) and per (account, browser)");

    // Past every throttle window (24 h), so past the idle and absolute session limits and the pending login's 5 minutes.
    server.clock().advance(Duration.ofHours(24).plusMinutes(1));
    ApiClient fresh = accounts.signedUp(TestAccounts.uniqueEmail());
    TestAccounts.Enrolled another = accounts.enrolled();
    accounts.pendingLogin(another.email());
    String newGuess = TestAccounts.uniqueEmail();
    assertError(server.newClient().post("/api/login", credentials(newGuess, "wrong-password")), 401, "invalid_credentials");

    eventually(() -> sessionRows(idle) == 0, "the purge timer deletes the expired session");
    eventually(() -> pendingLogins(account.email()) == 0, "the purge timer deletes the expired pending login");
    eventually(() -> throttleRows(oldGuess) == 0, "the purge timer deletes attempts older than every window");
    assertEquals(1, sessionRows(fresh), "a live session stays");
    assertEquals(1, pendingLogins(another.email()), "a live pending login stays");
    assertEquals(3, throttleRows(newGuess), "attempts inside their window stay");
  }

  @Test
  void sessionsSurviveARestartOfTheServer() {
    String email = TestAccounts.uniqueEmail();
    ApiClient browser = accounts.signedUp(email);
    TestAccounts.Enrolled enrolled = accounts.enrolled();
    ApiClient halfway = accounts.pendingLogin(enrolled.email());
    server.restart();
    assertEquals(email, browser.get("/api/account").json().getString("email"), "still logged in");
    assertEquals("pending_2fa", halfway.get("/api/session").json().getString("state"), "a pending login survives too");
    assertEquals(200, halfway.post("/api/login/totp", code(accounts.currentCode(enrolled))).status());
  }

  private ApiClient loggedIn(String email) {
    ApiClient client = server.newClient();
    Response login = client.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, login.status(), login.toString());
    return client;
  }

  private static int sessionRows(ApiClient browser) {
    return server.query("SELECT 1 FROM sessions WHERE token_hash = $1",
      io.vertx.core.buffer.Buffer.buffer(DigestUtils.sha256(browser.cookie("twofa.session")))).size();
  }

  private static int pendingLogins(String email) {
    return server.query("SELECT 1 FROM pending_logins p JOIN users u ON u.id = p.user_id WHERE u.email = $1", email).size();
  }

  private static int throttleRows(String email) {
    return server.query("SELECT 1 FROM throttle_attempts WHERE key LIKE '%' || $1 || '%'", email).size();
  }

  private static JsonArray sessions(ApiClient client) {
    Response list = client.get("/api/account/sessions");
    assertEquals(200, list.status(), list.toString());
    return list.json().getJsonArray("sessions");
  }
}
