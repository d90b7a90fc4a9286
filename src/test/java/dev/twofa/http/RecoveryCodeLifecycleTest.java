package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Codes that never run out unnoticed: a mail at 2 left and at none, once per set, and the gauges operators watch. */
class RecoveryCodeLifecycleTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_PURGE_EVERY_SECONDS", "1");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void theOwnerIsMailedAtTwoLeftAndAtNoneOnceEachAndNewCodesStartOver() throws Exception {
    Enrolled account = verified(accounts.enrolled());
    for (int i = 0; i < 5; i++) {
      logInWith(account, account.recoveryCodes().get(i));
    }
    assertEquals(0, written(account, "recovery_codes.few"), "3 left: the usual mail only");
    logInWith(account, account.recoveryCodes().get(5));
    assertEquals(1, written(account, "recovery_codes.few"));
    assertEquals(5, written(account, "recovery_code.used"), "at 2 left the few-codes mail takes the used mail's place");
    // The 7th code at a step-up (1 left: nothing), the last at login.
    // A recovery login burns the current and the next TOTP steps.
    accounts.nextStep();
    accounts.nextStep();
    ApiClient session = accounts.pendingLogin(account.email());
    assertEquals(200, session.post("/api/login/totp", code(accounts.currentCode(account))).status());
    accounts.nextStep();
    assertEquals(204, session.post("/api/step-up", new JsonObject().put("password", PASSWORD)
      .put("recoveryCode", account.recoveryCodes().get(6))).status());
    logInWith(account, account.recoveryCodes().get(7));
    assertEquals(1, written(account, "recovery_codes.none"));
    assertEquals(1, written(account, "recovery_codes.few"));

    accounts.nextStep();
    accounts.nextStep();
    accounts.stepUp(session, account);
    List<String> fresh = session.post("/api/2fa/recovery-codes", null).json().getJsonArray("recoveryCodes")
      .stream().map(String::valueOf).toList();
    for (int i = 0; i < 6; i++) {
      logInWith(account, fresh.get(i));
    }
    assertEquals(2, written(account, "recovery_codes.few"), "a new set is mailed about again");
  }

  @Test
  void concurrentUsesOfTheLastFourCodesMailEachThresholdOnce() throws Exception {
    Enrolled account = verified(accounts.enrolled());
    for (int i = 0; i < 4; i++) {
      logInWith(account, account.recoveryCodes().get(i));
    }
    List<ApiClient> clients = IntStream.range(0, 4).mapToObj(i -> accounts.pendingLogin(account.email())).toList();
    List<CompletableFuture<Response>> answers = IntStream.range(0, 4)
      .mapToObj(i -> clients.get(i).postAsync("/api/login/recovery", code(account.recoveryCodes().get(4 + i)))).toList();
    answers.forEach(answer -> assertEquals(200, answer.join().status(), answer.join().toString()));
    assertEquals(1, written(account, "recovery_codes.few"));
    assertEquals(1, written(account, "recovery_codes.none"));
    assertEquals(6, written(account, "recovery_code.used"));
  }

  @Test
  void prometheusCountsTheAccountsWithFewAndNoCodes() throws Exception {
    Enrolled few = accounts.enrolled();
    for (int i = 0; i < 6; i++) {
      logInWith(few, few.recoveryCodes().get(i));
    }
    int expectedFew = server.query("""
        SELECT count(*)::int AS n FROM (SELECT user_id FROM recovery_codes GROUP BY user_id
        HAVING count(*) FILTER (WHERE used_at IS NULL) <= 2) s""").get(0).getInteger("n");
    int expectedNone = server.query("""
        SELECT count(*)::int AS n FROM (SELECT user_id FROM recovery_codes GROUP BY user_id
        HAVING count(*) FILTER (WHERE used_at IS NULL) = 0) s""").get(0).getInteger("n");
    eventually(() -> server.managementClient().get("/metrics").text(),
      m -> m.contains("twofa_recovery_codes_few_accounts " + expectedFew + ".0")
        && m.contains("twofa_recovery_codes_none_accounts " + expectedNone + ".0"), "the gauges");
    assertTrue(expectedFew >= 1);
    assertTrue(server.newClient().get("/metrics").status() >= 400, "not on the public port");
  }

  private Enrolled verified(Enrolled account) {
    // Mails about routine use go to proven addresses (see Mailer): prove this one as its link would.
    server.query("UPDATE users SET email_verified_at = now() WHERE email = $1", account.email());
    return account;
  }

  private void logInWith(Enrolled account, String recoveryCode) {
    Response answer = accounts.pendingLogin(account.email()).post("/api/login/recovery", code(recoveryCode));
    assertEquals(200, answer.status(), answer.toString());
  }

  private static int written(Enrolled account, String kind) {
    return server.query("""
        SELECT count(*)::int AS n FROM mail_outbox o JOIN users u ON u.id = o.user_id WHERE u.email = $1 AND o.kind = $2
        """, account.email(), kind).get(0).getInteger("n");
  }
}
