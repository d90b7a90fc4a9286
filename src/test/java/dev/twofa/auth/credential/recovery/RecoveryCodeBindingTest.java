package dev.twofa.auth.credential.recovery;

import dev.twofa.auth.AuthFixture;
import dev.twofa.auth.AuthFixture.Enrolled;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.AuthRequests;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.KeyRing;
import dev.twofa.config.ServerKeys;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.twofa.auth.AuthFixture.PASSWORD;
import static dev.twofa.auth.AuthFixture.await;
import static dev.twofa.auth.AuthFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Recovery-code digests bind the user (HMAC(k, user id ‖ code)), on a real PostgreSQL through the login's door: a
 * digest moved onto another account opens nothing there, and rows digested the old way (HMAC(k, code), version 1)
 * keep working until the user gets new codes.
 */
class RecoveryCodeBindingTest {
  private static AuthFixture auth;

  @BeforeAll
  static void rooms() {
    auth = AuthFixture.start();
  }

  @AfterAll
  static void close() {
    auth.close();
  }

  @Test
  void newCodesAreStoredAsBoundDigestsOfVersionTwo() {
    Enrolled account = auth.enrolled();
    assertEquals(List.of(2), auth.query("SELECT DISTINCT digest_version FROM recovery_codes WHERE user_id = $1",
      account.user().id()).stream().map(row -> (int) row.getShort(0)).toList());
  }

  @Test
  void aDigestMovedFromAnotherAccountDoesNotOpenThisOne() {
    Enrolled a = auth.enrolled();
    Enrolled b = auth.enrolled();
    // Someone who can write the table gives B the rows of A, whose codes they know.
    auth.query("UPDATE recovery_codes SET user_id = $2 WHERE user_id = $1", a.user().id(), b.user().id());
    assertEquals(ErrorCode.INVALID_CODE, failure(logins(b, a.recoveryCodes().get(0))).code(),
      "A's code against B's account, where A's digest now sits");
    assertEquals("authenticated", await(logins(b, b.recoveryCodes().get(0))).session().state(),
      "B's own codes still work");
  }

  @Test
  void aRowDigestedTheOldWayStillWorksOnce() throws Exception {
    Enrolled account = auth.enrolled();
    String oldCode = "abcde23456";
    KeyRing ring = auth.config().keys().ring().orElseThrow();
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(ServerKeys.derive(ring.current().material(), ServerKeys.Purpose.RECOVERY_CODE), "HmacSHA256"));
    byte[] unbound = mac.doFinal(oldCode.getBytes(StandardCharsets.US_ASCII));
    // As the rows written before digests bound the user: no version given, so the column's default marks it.
    auth.query("INSERT INTO recovery_codes (user_id, digest, key_id) VALUES ($1, $2, $3)", account.user().id(),
      Buffer.buffer(unbound), ring.current().hexId());
    assertEquals(1, auth.count("SELECT digest_version::int FROM recovery_codes WHERE user_id = $1 AND digest = $2",
      account.user().id(), Buffer.buffer(unbound)));

    assertEquals("authenticated", await(logins(account, oldCode)).session().state());
    assertEquals(ErrorCode.RECOVERY_CODE_USED, failure(logins(account, oldCode)).code(), "used once");
  }

  private static io.vertx.core.Future<LoginOutcome> logins(Enrolled account, String recoveryCode) {
    LoginOutcome pending = await(auth.logins().password(new AuthRequests.Credentials(null, account.email(), PASSWORD,
      account.client())));
    return auth.logins().recoveryCode(new AuthRequests.Code(pending.sessionToken(), recoveryCode, account.client()));
  }
}
