package dev.twofa.ops;

import ch.qos.logback.classic.Level;
import dev.twofa.config.KeyRing;
import dev.twofa.support.ApiClient;
import dev.twofa.support.LogLines;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A key ring that lacks the key of stored TOTP secrets, over HTTP and a real database: the server refuses to start
 * and names the missing key id and how many secrets it sealed; with TWOFA_ALLOW_MISSING_KEYS=true it starts and
 * warns, and a code for such an account is answered 503 with an error code and one ERROR line, never 500. A
 * tampered secret is answered the same way.
 */
class MissingKeyTest {
  private static final byte[] A = randomKey();
  private static final byte[] B = randomKey();
  private static final String CHECK = "dev.twofa.auth.credential.totp.KeyRingCheck";
  private static final String SECRET_BOX = "dev.twofa.auth.credential.totp.SecretBox";
  private static final String BUS = "dev.twofa.bus.BusRequests";

  @RegisterExtension
  static TestServer server = new TestServer().withSecretKeys(base64(A));
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void aRingWithoutTheKeyOfStoredSecretsStopsTheStartUnlessAllowed() {
    Enrolled first = accounts.enrolled();
    Enrolled second = accounts.enrolled();
    String missing = KeyRing.of(A).current().hexId();
    // Every secret so far is sealed under A (this class's other test may have enrolled some too).
    int underA = server.query("SELECT count(*)::int FROM users WHERE totp_secret IS NOT NULL").get(0).getInteger(0);

    IllegalStateException refused = assertThrows(IllegalStateException.class,
      () -> server.restartWith("TWOFA_SECRET_KEYS", base64(B)));
    String message = messages(refused);
    assertTrue(message.contains(missing), message);
    assertTrue(message.contains(underA + " TOTP secrets") && message.contains(missing + " (" + underA + ")"), message);
    assertTrue(message.contains("TWOFA_ALLOW_MISSING_KEYS"), message);
    assertFalse(message.contains(base64(A)) || message.contains(base64(B)), "never a key");

    try (LogLines check = LogLines.of(CHECK); LogLines box = LogLines.of(SECRET_BOX); LogLines bus = LogLines.of(BUS)) {
      server.restartWith("TWOFA_ALLOW_MISSING_KEYS", "true");
      List<String> warnings = check.at(Level.WARN);
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(warnings.get(0).contains(missing) && warnings.get(0).contains("secrets=" + underA), warnings.get(0));

      ApiClient.Response code = accounts.pendingLogin(first.email()).post("/api/login/totp", code(accounts.currentCode(first)));
      assertError(code, 503, "totp_unavailable");
      List<String> errors = new ArrayList<>(box.at(Level.ERROR));
      errors.addAll(bus.at(Level.ERROR));
      assertEquals(1, errors.size(), errors.toString());
      assertTrue(errors.get(0).contains("event=totp.secret_unreadable") && errors.get(0).contains("key_id=" + missing),
        errors.get(0));
      assertFalse(errors.get(0).contains(first.secret()), "never the secret");
    }
    ApiClient.Response recovery = accounts.pendingLogin(second.email()).post("/api/login/recovery",
      code(second.recoveryCodes().get(0)));
    assertEquals(401, recovery.status(), "its recovery codes were digested under A too: " + recovery);

    server.restartWith("TWOFA_SECRET_KEYS", base64(B) + "," + base64(A));
    ApiClient.Response back = accounts.pendingLogin(first.email()).post("/api/login/totp", code(accounts.currentCode(first)));
    assertEquals(200, back.status(), "with A back in the ring: " + back);
  }

  @Test
  void aTamperedSecretIsAnswered503NotAFailure() {
    String email = TestAccounts.uniqueEmail();
    ApiClient signedIn = accounts.signedUp(email);
    Enrolled account = accounts.enrolled(signedIn, email);
    server.query("UPDATE users SET totp_secret = set_byte(totp_secret, length(totp_secret) - 1,"
      + " get_byte(totp_secret, length(totp_secret) - 1) # 1) WHERE email = $1", account.email());
    try (LogLines box = LogLines.of(SECRET_BOX); LogLines bus = LogLines.of(BUS)) {
      ApiClient.Response code = accounts.pendingLogin(account.email()).post("/api/login/totp",
        code(accounts.currentCode(account)));
      assertError(code, 503, "totp_unavailable");
      assertEquals(1, box.at(Level.ERROR).size() + bus.at(Level.ERROR).size(), box.all() + " " + bus.all());
      assertError(signedIn.post("/api/step-up", new JsonObject().put("password", TestAccounts.PASSWORD)
        .put("code", accounts.currentCode(account))), 503, "totp_unavailable");
      assertEquals(0, bus.at(Level.ERROR).size(), "never an internal error: " + bus.all());
    }
  }

  /** Every message along the cause chain: what Main would log. */
  private static String messages(Throwable error) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = error; t != null; t = t.getCause()) {
      all.append(t).append(" | ");
    }
    return all.toString();
  }

  private static byte[] randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }

  private static String base64(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }
}
