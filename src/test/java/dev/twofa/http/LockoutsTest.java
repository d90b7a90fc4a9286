package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import dev.twofa.support.Totp;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Lockouts that protect the owner: password failures count per (account, address), per account across every
 * address with a higher ceiling, and per session for a signed-in user's re-checks; second-factor guesses spend one
 * budget per account, at login and at step-up alike; sign-ups and successful logins are limited per address. Client
 * addresses come from X-Forwarded-For through a trusted proxy (this test, on loopback).
 */
class LockoutsTest {
  private static final String XFF = "X-Forwarded-For";

  @RegisterExtension
  static TestServer server = new TestServer()
    .with("TWOFA_TRUSTED_PROXIES", "127.0.0.1/32")
    .with("TWOFA_PASSWORD_MAX_FAILURES_PER_ACCOUNT", "20")
    .with("TWOFA_SIGNUPS_PER_ADDRESS_PER_HOUR", "3")
    .with("TWOFA_SECOND_FACTOR_MAX_ATTEMPTS", "3")
    .with("TWOFA_LOGINS_PER_ADDRESS_PER_HOUR", "5");
  private final TestAccounts accounts = new TestAccounts(server);

  private static ApiClient from(String ip) {
    return server.newClient().extraHeaders(XFF, ip);
  }

  @Test
  void aStrangerFailingFromOneAddressDoesNotLockTheOwnerOutOfAnother() {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, from("198.51.100.1").post("/api/signup", credentials(email, PASSWORD)).status());
    for (int i = 0; i < 12; i++) {
      int status = from("203.0.113.66").post("/api/login", credentials(email, "wrong-password-" + i)).status();
      assertEquals(i < 10 ? 401 : 429, status, "attempt " + (i + 1));
    }
    assertError(from("203.0.113.66").post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");
    assertEquals(200, from("198.51.100.1").post("/api/login", credentials(email, PASSWORD)).status(),
      "the owner, from their own address, logs in");
  }

  @Test
  void failuresFromManyAddressesMeetTheAccountCeiling() {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, from("198.51.100.2").post("/api/signup", credentials(email, PASSWORD)).status());
    for (int i = 0; i < 20; i++) {
      assertError(from("203.0.113." + (100 + i)).post("/api/login", credentials(email, "wrong-password-" + i)),
        401, "invalid_credentials");
    }
    assertError(from("198.51.100.2").post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");
    server.clock().advance(Duration.ofHours(24));
    assertEquals(200, from("198.51.100.2").post("/api/login", credentials(email, PASSWORD)).status());
  }

  @Test
  void aSignedInUsersPasswordReChecksCountPerSessionNotAgainstTheLogin() {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = from("198.51.100.3");
    assertEquals(201, owner.post("/api/signup", credentials(email, PASSWORD)).status());
    ApiClient thief = from("198.51.100.3");
    assertEquals(200, thief.post("/api/login", credentials(email, PASSWORD)).status());
    for (int i = 0; i < 10; i++) {
      assertError(thief.post("/api/step-up", new JsonObject().put("password", "wrong-password-" + i)), 401, "invalid_credentials");
    }
    assertError(thief.post("/api/step-up", new JsonObject().put("password", PASSWORD)), 429, "rate_limited");
    accounts.stepUp(owner);
    assertEquals(200, from("198.51.100.3").post("/api/login", credentials(email, PASSWORD)).status(),
      "a session's failed re-checks never lock the login");
  }

  @Test
  void signUpsAreLimitedPerAddress() {
    for (int i = 0; i < 3; i++) {
      assertEquals(201, from("192.0.2.50").post("/api/signup", credentials(TestAccounts.uniqueEmail(), PASSWORD)).status());
    }
    assertError(from("192.0.2.50").post("/api/signup", credentials(TestAccounts.uniqueEmail(), PASSWORD)), 429, "rate_limited");
    assertEquals(201, from("192.0.2.51").post("/api/signup", credentials(TestAccounts.uniqueEmail(), PASSWORD)).status());
  }

  @Test
  void stepUpCodeGuessesSpendTheAccountsSecondFactorBudget() {
    String email = TestAccounts.uniqueEmail();
    ApiClient session = from("198.51.100.4");
    assertEquals(201, session.post("/api/signup", credentials(email, PASSWORD)).status());
    Enrolled account = accounts.enrolled(session, email);
    String anHourAgo = Totp.code(account.secret(), server.clock().instant().minus(Duration.ofHours(1)));
    assertError(session.post("/api/step-up", stepUp("code", anHourAgo)), 401, "invalid_code");
    assertError(session.post("/api/step-up", stepUp("recoveryCode", "zzzzz22222")), 401, "invalid_code");
    assertError(session.post("/api/step-up", stepUp("code", anHourAgo)), 401, "invalid_code");

    Response refused = session.post("/api/step-up", stepUp("code", accounts.currentCode(account)));
    assertError(refused, 429, "rate_limited");
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertTrue(retryAfter > 0 && retryAfter <= Duration.ofHours(24).toSeconds(), "Retry-After " + retryAfter);
    String recovery = account.recoveryCodes().get(0);
    assertError(session.post("/api/step-up", stepUp("recoveryCode", recovery)), 429, "rate_limited");
    server.clock().advance(Duration.ofMinutes(11));   // past the step-up the sign-up counts as
    assertError(session.post("/api/2fa/recovery-codes", null), 403, "step_up_required");
    ApiClient login = from("198.51.100.4");
    assertEquals(200, login.post("/api/login", credentials(email, PASSWORD)).status());
    assertError(login.post("/api/login/totp", code(accounts.currentCode(account))), 429, "rate_limited");

    server.clock().advance(Duration.ofSeconds(retryAfter));
    ApiClient later = from("198.51.100.4");
    assertEquals(200, later.post("/api/login", credentials(email, PASSWORD)).status());
    assertEquals(200, later.post("/api/login/totp", code(accounts.currentCode(account))).status(), "the lock expires");
    assertEquals(204, later.post("/api/step-up", stepUp("recoveryCode", recovery)).status(),
      "a recovery code refused for the lock was not spent");
    assertEquals(7, later.get("/api/account").json().getInteger("recoveryCodesRemaining"));
  }

  @Test
  void successfulLoginsAreLimitedPerAddressWhileOtherAddressesLogIn() {
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, from("192.0.2.60").post("/api/signup", credentials(email, PASSWORD)).status());
    for (int i = 0; i < 5; i++) {
      assertEquals(200, from("192.0.2.60").post("/api/login", credentials(email, PASSWORD)).status(), "login " + (i + 1));
    }
    Response refused = from("192.0.2.60").post("/api/login", credentials(email, PASSWORD));
    assertError(refused, 429, "rate_limited");
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertTrue(retryAfter > 0 && retryAfter <= Duration.ofHours(1).toSeconds(), "Retry-After " + retryAfter);
    String other = TestAccounts.uniqueEmail();
    assertEquals(201, from("192.0.2.61").post("/api/signup", credentials(other, PASSWORD)).status());
    assertError(from("192.0.2.60").post("/api/login", credentials(other, PASSWORD)), 429, "rate_limited");
    assertEquals(200, from("192.0.2.61").post("/api/login", credentials(email, PASSWORD)).status(),
      "the same account logs in from another address");

    server.clock().advance(Duration.ofSeconds(retryAfter));
    assertEquals(200, from("192.0.2.60").post("/api/login", credentials(email, PASSWORD)).status(), "the hour has passed");
  }

  @Test
  void aPasswordStepThatOwesItsCodeCountsAsALoginAndForgetsThisAddresssFailures() {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = from("192.0.2.70");
    assertEquals(201, owner.post("/api/signup", credentials(email, PASSWORD)).status());
    accounts.enrolled(owner, email);
    for (int i = 0; i < 9; i++) {
      assertError(from("192.0.2.71").post("/api/login", credentials(email, "wrong-password-" + i)), 401, "invalid_credentials");
    }
    Response passed = from("192.0.2.71").post("/api/login", credentials(email, PASSWORD));
    assertEquals("pending_2fa", passed.json().getString("state"), passed.toString());
    for (int i = 0; i < 9; i++) {
      assertError(from("192.0.2.71").post("/api/login", credentials(email, "wrong-password-again-" + i)), 401,
        "invalid_credentials"); // the tenth failure in a row from one address, were the first nine remembered
    }
    for (int i = 0; i < 4; i++) {
      assertEquals("pending_2fa", from("192.0.2.71").post("/api/login", credentials(email, PASSWORD)).json().getString("state"));
    }
    assertError(from("192.0.2.71").post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");
    assertEquals("pending_2fa", from("192.0.2.72").post("/api/login", credentials(email, PASSWORD)).json().getString("state"),
      "the sixth login in the hour, from another address");
  }

  @Test
  void everyPerAddressLimitCountsAnIpv6Slash64AsOneAddress() {
    for (int i = 0; i < 3; i++) {
      assertEquals(201, from("2001:db8:50::" + (i + 1)).post("/api/signup",
        credentials(TestAccounts.uniqueEmail(), PASSWORD)).status(), "sign-up " + (i + 1));
    }
    assertError(from("2001:db8:50:0:ffff:ffff:ffff:ffff").post("/api/signup",
      credentials(TestAccounts.uniqueEmail(), PASSWORD)), 429, "rate_limited");
    String email = TestAccounts.uniqueEmail();
    assertEquals(201, from("2001:db8:51::1").post("/api/signup", credentials(email, PASSWORD)).status(),
      "the next /64 is another address");

    for (int i = 0; i < 5; i++) {
      assertEquals(200, from("2001:db8:52::" + (i + 1)).post("/api/login", credentials(email, PASSWORD)).status(),
        "login " + (i + 1));
    }
    assertError(from("2001:db8:52::abcd").post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");

    for (int i = 0; i < 20; i++) {
      assertEquals(202, from("2001:db8:53::" + (i + 1)).post("/api/password-reset",
        new JsonObject().put("email", TestAccounts.uniqueEmail())).status(), "reset request " + (i + 1));
    }
    assertError(from("2001:db8:53::abcd").post("/api/password-reset", new JsonObject().put("email", email)),
      429, "rate_limited");
    assertEquals(202, from("2001:db8:54::1").post("/api/password-reset", new JsonObject().put("email", email)).status());

    // Activity keeps the full address.
    ApiClient owner = from("2001:db8:55::1234");
    assertEquals(200, owner.post("/api/login", credentials(email, PASSWORD)).status());
    assertTrue(owner.get("/api/account/activity").json().encode().contains("2001:db8:55::1234"));
  }

  private static JsonObject stepUp(String factor, String value) {
    return new JsonObject().put("password", PASSWORD).put(factor, value);
  }
}
