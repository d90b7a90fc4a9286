package dev.twofa.ops;

import dev.twofa.cli.KeyRotation;
import dev.twofa.config.KeyRing;
import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestAccounts.Enrolled;
import dev.twofa.support.TestServer;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.TestAccounts.code;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The operator's rotation, over HTTP and a real database: accounts enrolled under key A keep logging in once B
 * is current ("B,A"); rotate-keys moves their TOTP secrets to B; with A gone ("B") TOTP still works, while
 * recovery codes digested under A stop matching (regenerating them is how a user moves them to B).
 */
class KeyRotationTest {
  private static final byte[] A = randomKey();
  private static final byte[] B = randomKey();

  @RegisterExtension
  static TestServer server = new TestServer().withSecretKeys(base64(A));
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void addANewKeyRotateThenDropTheOldOne() throws Exception {
    Enrolled first = accounts.enrolled();
    Enrolled second = accounts.enrolled();
    Enrolled regenerates = accounts.enrolled();
    // An anti-phishing phrase is sealed like a TOTP secret, and moves with them.
    String phraseOwner = TestAccounts.uniqueEmail();
    assertEquals(200, accounts.signedUp(phraseOwner).post("/api/account/phrase",
      new io.vertx.core.json.JsonObject().put("phrase", "north star 9")).status());
    assertEquals(KeyRing.of(A).current().hexId(), keyIdOfSecret(first));
    assertEquals(List.of(KeyRing.of(A).current().hexId()), recoveryKeyIds(first));

    server.restartWith("TWOFA_SECRET_KEYS", base64(B) + "," + base64(A));
    loginWithTotp(first);
    loginWithRecoveryCode(second, second.recoveryCodes().get(0));
    assertEquals(KeyRing.of(A).current().hexId(), keyIdOfSecret(first), "logins do not re-seal");

    Enrolled fresh = accounts.enrolled();
    assertEquals(KeyRing.of(B).current().hexId(), keyIdOfSecret(fresh), "new enrollments use the current key");
    assertEquals(List.of(KeyRing.of(B).current().hexId()), recoveryKeyIds(fresh));

    // A user who regenerates recovery codes moves them to B.
    ApiClient session = loginWithTotp(regenerates);
    accounts.stepUp(session, regenerates);
    ApiClient.Response regenerated = session.post("/api/2fa/recovery-codes", null);
    assertEquals(200, regenerated.status(), regenerated.toString());
    List<String> newCodes = regenerated.json().getJsonArray("recoveryCodes").stream().map(Object::toString).toList();

    KeyRing ring = KeyRing.of(B, A);
    byte[] before = secretBox(second);
    assertEquals(4, KeyRotation.run(server.databaseUrl(), ring).moved(), "the three accounts enrolled under A, the phrase");
    assertEquals(KeyRing.of(B).current().hexId(), keyIdOfSecret(first));
    assertEquals(0, KeyRotation.run(server.databaseUrl(), ring).moved(), "a second run moves nothing");
    assertEquals(false, Arrays.equals(before, secretBox(second)));

    server.restartWith("TWOFA_SECRET_KEYS", base64(B));
    loginWithTotp(first);
    loginWithTotp(second);
    loginWithTotp(fresh);
    loginWithRecoveryCode(fresh, fresh.recoveryCodes().get(0));
    loginWithRecoveryCode(regenerates, newCodes.get(0));
    ApiClient phraseSession = server.newClient();
    assertEquals(200, phraseSession.post("/api/login", TestAccounts.credentials(phraseOwner, TestAccounts.PASSWORD)).status());
    assertEquals("north star 9", phraseSession.get("/api/account/phrase").json().getString("phrase"), "opens under B alone");
    assertError(accounts.pendingLogin(first.email()).post("/api/login/recovery", code(first.recoveryCodes().get(0))),
      401, "invalid_code");
  }

  private ApiClient loginWithTotp(Enrolled account) {
    ApiClient client = accounts.pendingLogin(account.email());
    ApiClient.Response login = client.post("/api/login/totp", code(accounts.currentCode(account)));
    assertEquals(200, login.status(), login.toString());
    accounts.nextStep();
    return client;
  }

  private void loginWithRecoveryCode(Enrolled account, String recoveryCode) {
    ApiClient.Response login = accounts.pendingLogin(account.email()).post("/api/login/recovery", code(recoveryCode));
    assertEquals(200, login.status(), login.toString());
    accounts.nextStep();
  }

  private static byte[] secretBox(Enrolled account) {
    Buffer box = server.query("SELECT totp_secret FROM users WHERE email = $1", account.email()).get(0).getBuffer(0);
    return box.getBytes();
  }

  /** The key id in a versioned box: bytes 1..4 after the version byte 2. */
  private static String keyIdOfSecret(Enrolled account) {
    byte[] box = secretBox(account);
    assertEquals(2, box[0]);
    return java.util.HexFormat.of().formatHex(box, 1, 5);
  }

  private static List<String> recoveryKeyIds(Enrolled account) {
    return server.query("""
        SELECT DISTINCT r.key_id FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1
        """, account.email()).stream().map(row -> row.getString(0)).toList();
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
