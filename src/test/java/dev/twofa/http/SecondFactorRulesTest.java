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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Replay, single use under concurrency, lockouts and expiry, with the server's clock under the test's control. */
class SecondFactorRulesTest {
  @RegisterExtension
  static TestServer server = new TestServer();
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aTotpCodeIsAcceptedOncePerStepIncludingTheOneThatEnabled2fa() {
    String email = TestAccounts.uniqueEmail();
    ApiClient client = accounts.signedUp(email);
    String secret = client.post("/api/2fa/setup", null).json().getString("secret");
    String enableCode = Totp.code(secret, server.clock().instant());
    assertEquals(200, client.post("/api/2fa/enable", code(enableCode)).status());
    assertError(accounts.pendingLogin(email).post("/api/login/totp", code(enableCode)), 401, "invalid_code");

    accounts.nextStep();
    String fresh = Totp.code(secret, server.clock().instant());
    assertEquals(200, accounts.pendingLogin(email).post("/api/login/totp", code(fresh)).status());
    assertError(accounts.pendingLogin(email).post("/api/login/totp", code(fresh)), 401, "invalid_code");
    // An older step inside the window is refused too once a later step was used.
    String previous = Totp.code(secret, server.clock().instant().minusSeconds(30));
    assertError(accounts.pendingLogin(email).post("/api/login/totp", code(previous)), 401, "invalid_code");
  }

  @Test
  void codesFromTheNeighbouringStepsWorkAndCodesWithSpacesToo() {
    Enrolled account = accounts.enrolled();
    String next = Totp.code(account.secret(), server.clock().instant().plusSeconds(30));
    assertEquals(200, accounts.pendingLogin(account.email()).post("/api/login/totp",
      code(next.substring(0, 3) + " " + next.substring(3))).status(), "a clock 30 s behind the phone");
    accounts.nextStep();
    accounts.nextStep();
    String stale = Totp.code(account.secret(), server.clock().instant().minusSeconds(60));
    assertError(accounts.pendingLogin(account.email()).post("/api/login/totp", code(stale)), 401, "invalid_code");
  }

  @Test
  void concurrentUsesOfOneTotpCodeLetExactlyOneThrough() throws Exception {
    Enrolled account = accounts.enrolled();
    List<ApiClient> clients = IntStream.range(0, 12).mapToObj(i -> accounts.pendingLogin(account.email())).toList();
    String current = accounts.currentCode(account);
    List<Response> answers = all(clients.stream().map(c -> c.postAsync("/api/login/totp", code(current))).toList());
    assertEquals(1, answers.stream().filter(r -> r.status() == 200).count(), answers.toString());
    assertEquals(11, answers.stream().filter(r -> r.status() == 401).count(), answers.toString());
  }

  @Test
  void concurrentUsesOfOneRecoveryCodeLetExactlyOneThrough() throws Exception {
    Enrolled account = accounts.enrolled();
    List<ApiClient> clients = IntStream.range(0, 12).mapToObj(i -> accounts.pendingLogin(account.email())).toList();
    String recovery = account.recoveryCodes().get(3);
    List<Response> answers = all(clients.stream().map(c -> c.postAsync("/api/login/recovery", code(recovery))).toList());
    assertEquals(1, answers.stream().filter(r -> r.status() == 200).count(), answers.toString());
    // Every loser hears the code is used already: exactly one request wrote its tombstone.
    assertEquals(11, answers.stream().filter(r -> r.status() == 401
      && "recovery_code_used".equals(r.json().getString("error"))).count(), answers.toString());
    ApiClient winner = clients.get(answers.indexOf(answers.stream().filter(r -> r.status() == 200).findFirst().get()));
    assertEquals(7, winner.get("/api/account").json().getInteger("recoveryCodesRemaining"));
  }

  @Test
  void aRecoveryCodeUsedAtStepUpIsConsumedForStepUpAndLoginAlike() {
    String email = TestAccounts.uniqueEmail();
    ApiClient session = accounts.signedUp(email);
    Enrolled account = accounts.enrolled(session, email);
    JsonObject withRecovery = new JsonObject().put("password", PASSWORD).put("recoveryCode", account.recoveryCodes().get(2));
    assertEquals(204, session.post("/api/step-up", withRecovery).status());
    assertEquals(7, session.get("/api/account").json().getInteger("recoveryCodesRemaining"));
    assertError(session.post("/api/step-up", withRecovery), 401, "recovery_code_used");
    assertError(accounts.pendingLogin(email).post("/api/login/recovery", code(account.recoveryCodes().get(2))),
      401, "recovery_code_used");
    Response another = accounts.pendingLogin(email).post("/api/login/recovery", code(account.recoveryCodes().get(3)));
    assertEquals(200, another.status(), another.toString());
    assertEquals(6, another.json().getJsonObject("user").getInteger("recoveryCodesRemaining"));
  }

  @Test
  void aUsedRecoveryCodeSaysWhenItWasUsedStillCountsAndNewCodesForgetIt() {
    Enrolled account = accounts.enrolled();
    String used = account.recoveryCodes().get(5);
    java.time.Instant usedAt = server.clock().instant();
    ApiClient owner = accounts.pendingLogin(account.email());
    assertEquals(200, owner.post("/api/login/recovery", code(used)).status());
    server.clock().advance(Duration.ofDays(3));

    ApiClient again = accounts.pendingLogin(account.email());
    Response answer = again.post("/api/login/recovery", code(used.toUpperCase()));
    assertError(answer, 401, "recovery_code_used");
    assertEquals(usedAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
      java.time.Instant.parse(answer.json().getString("usedAt")).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    assertError(again.post("/api/login/recovery", code("zzzzz22222")), 401, "invalid_code");
    // A used code is a wrong code to the pending login's limit: five drop it.
    for (int i = 0; i < 3; i++) {
      assertError(again.post("/api/login/recovery", code(used)), 401, "recovery_code_used");
    }
    assertError(again.post("/api/login/recovery", code(used)), 409, "no_pending_login");

    // A login is its own step-up: new codes at once.
    ApiClient fresh = accounts.pendingLogin(account.email());
    assertEquals(200, fresh.post("/api/login/totp", code(accounts.currentCode(account))).status());
    assertEquals(200, fresh.post("/api/2fa/recovery-codes", null).status());
    assertError(accounts.pendingLogin(account.email()).post("/api/login/recovery", code(used)), 401, "invalid_code");
  }

  @Test
  void aRecoveryLoginBurnsTheCurrentAndNextTotpSteps() {
    Enrolled account = accounts.enrolled();
    String now = accounts.currentCode(account);
    String next = Totp.code(account.secret(), server.clock().instant().plusSeconds(30));
    assertEquals(200, accounts.pendingLogin(account.email()).post("/api/login/recovery",
      code(account.recoveryCodes().get(0))).status());
    assertError(accounts.pendingLogin(account.email()).post("/api/login/totp", code(now)), 401, "invalid_code");
    assertError(accounts.pendingLogin(account.email()).post("/api/login/totp", code(next)), 401, "invalid_code");
    accounts.nextStep();
    accounts.nextStep();
    assertEquals(200, accounts.pendingLogin(account.email()).post("/api/login/totp",
      code(accounts.currentCode(account))).status());
  }

  @Test
  void aPendingLoginExpiresAfterFiveMinutes() {
    Enrolled account = accounts.enrolled();
    ApiClient client = accounts.pendingLogin(account.email());
    server.clock().advance(Duration.ofMinutes(5).plusSeconds(1));
    assertError(client.post("/api/login/totp", code(accounts.currentCode(account))), 409, "no_pending_login");
  }

  @Test
  void aPendingLoginIsDiscardedAfterFiveWrongCodesButThreeMistakesDoNotLockAnyoneOut() {
    Enrolled account = accounts.enrolled();
    ApiClient typo = accounts.pendingLogin(account.email());
    for (int i = 0; i < 3; i++) {
      assertError(typo.post("/api/login/totp", code(wrong(account))), 401, "invalid_code");
    }
    assertEquals(200, typo.post("/api/login/totp", code(accounts.currentCode(account))).status());

    accounts.nextStep();
    ApiClient guesser = accounts.pendingLogin(account.email());
    for (int i = 0; i < 5; i++) {
      assertError(guesser.post("/api/login/totp", code(wrong(account))), 401, "invalid_code");
    }
    assertError(guesser.post("/api/login/totp", code(accounts.currentCode(account))), 409, "no_pending_login");
    assertEquals(200, accounts.pendingLogin(account.email()).post("/api/login/totp",
      code(accounts.currentCode(account))).status(), "redoing the password step works");
  }

  @Test
  void secondFactorGuessesAreCappedPerAccountAcrossSessionsUntilTheWindowPasses() {
    Enrolled account = accounts.enrolled();
    int guesses = 0;
    while (guesses < 100) {
      ApiClient session = accounts.pendingLogin(account.email());
      for (int i = 0; i < 5 && guesses < 100; i++, guesses++) {
        String path = guesses % 2 == 0 ? "/api/login/totp" : "/api/login/recovery";
        String guess = guesses % 2 == 0 ? wrong(account) : "zzzzz22222";
        assertError(session.post(path, code(guess)), 401, "invalid_code");
      }
    }
    ApiClient locked = accounts.pendingLogin(account.email());
    Response refused = locked.post("/api/login/totp", code(accounts.currentCode(account)));
    assertError(refused, 429, "rate_limited");
    long retryAfter = Long.parseLong(refused.header("Retry-After"));
    assertEquals(retryAfter, refused.json().getLong("retryAfterSeconds"));
    assertTrue(retryAfter > 0 && retryAfter <= Duration.ofHours(24).toSeconds(), "Retry-After " + retryAfter);
    assertError(locked.post("/api/login/recovery", code(account.recoveryCodes().get(0))), 429, "rate_limited");
    assertEquals(200, server.newClient().post("/api/login", credentials(account.email(), PASSWORD)).status(),
      "second-factor failures do not lock the password step");

    server.clock().advance(Duration.ofSeconds(retryAfter));
    assertEquals(200, accounts.pendingLogin(account.email()).post("/api/login/totp",
      code(accounts.currentCode(account))).status(), "the lock expires");
  }

  @Test
  void passwordFailuresAreThrottledPerAccountWithoutTouchingTheSecondFactor() {
    Enrolled account = accounts.enrolled();
    ApiClient alreadyPending = accounts.pendingLogin(account.email());
    for (int i = 0; i < 10; i++) {
      assertError(server.newClient().post("/api/login", credentials(account.email(), "wrong-password-" + i)),
        401, "invalid_credentials");
    }
    Response locked = server.newClient().post("/api/login", credentials(account.email(), PASSWORD));
    assertError(locked, 429, "rate_limited");
    assertTrue(Long.parseLong(locked.header("Retry-After")) > 0);
    assertEquals(200, alreadyPending.post("/api/login/totp", code(accounts.currentCode(account))).status(),
      "password guessing cannot lock out the second factor");
    server.clock().advance(Duration.ofMinutes(15));
    assertEquals(200, server.newClient().post("/api/login", credentials(account.email(), PASSWORD)).status());
  }

  @Test
  void passwordFailuresAreThrottledPerClientAddress() {
    for (int i = 0; i < 100; i++) {
      assertEquals(401, server.newClient().post("/api/login",
        credentials("spray-" + i + "@example.com", "Summer2026!")).status());
    }
    String email = TestAccounts.uniqueEmail();
    accounts.signedUp(email);
    assertError(server.newClient().post("/api/login", credentials(email, PASSWORD)), 429, "rate_limited");
    server.clock().advance(Duration.ofMinutes(15));
    assertEquals(200, server.newClient().post("/api/login", credentials(email, PASSWORD)).status());
  }

  private String wrong(Enrolled account) {
    String right = accounts.currentCode(account);
    return right.equals("000000") ? "999999" : "000000";
  }

  private static List<Response> all(List<CompletableFuture<Response>> futures) throws Exception {
    CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
    return futures.stream().map(CompletableFuture::join).toList();
  }
}
