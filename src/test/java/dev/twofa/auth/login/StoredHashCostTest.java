package dev.twofa.auth.login;

import ch.qos.logback.classic.Level;
import dev.twofa.auth.AuthFixture;
import dev.twofa.auth.AuthFixture.SignedUp;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.credential.password.PasswordHasher;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.bus.AuthRequests;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.PasswordPolicy;
import dev.twofa.support.Eventually;
import dev.twofa.support.LogLines;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static dev.twofa.auth.AuthFixture.PASSWORD;
import static dev.twofa.auth.AuthFixture.await;
import static dev.twofa.auth.AuthFixture.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Argon2 cost a stored hash names, through the login's door on a real PostgreSQL. The fixture hashes at
 * m=1024 KiB, t=1, p=1: a stored hash costlier than 4× that in any parameter is refused like a wrong password
 * (and an ERROR names the account), one that merely differs is replaced after a successful login.
 */
class StoredHashCostTest {
  private static final String CONFIGURED = "$argon2id$v=19$m=1024,t=1,p=1$";
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
  void aHashCostlierThanFourTimesTheConfiguredOneIsAFailedLoginWithAnError() {
    for (int[] cost : List.of(new int[] {5 * 1024, 1, 1}, new int[] {1024, 5, 1}, new int[] {1024, 1, 5})) {
      SignedUp account = auth.signedUp();
      String costly = hashAt(cost[0], cost[1], cost[2]);
      auth.query("UPDATE users SET password_hash = $2 WHERE id = $1", account.user().id(), costly);
      try (LogLines log = LogLines.of(Passwords.class)) {
        assertEquals(ErrorCode.INVALID_CREDENTIALS, failure(auth.logins().password(
          new AuthRequests.Credentials(null, account.email(), PASSWORD, account.client()))).code(),
          "the right password against m=" + cost[0] + ",t=" + cost[1] + ",p=" + cost[2]);
        List<String> errors = log.at(Level.ERROR);
        assertEquals(1, errors.size(), errors.toString());
        assertTrue(errors.get(0).contains("user=" + account.user().id()), errors.get(0));
        assertFalse(errors.get(0).contains(costly.substring(costly.lastIndexOf('$'))), "no hash in the log");
      }
      assertEquals(costly, storedHash(account), "left as it is");
    }
  }

  @Test
  void aHashUpToFourTimesTheCostStillWorksAndIsReplacedByOneAtTheConfiguredCost() throws Exception {
    rehashedAfterLogin(hashAt(2048, 2, 1));
  }

  @Test
  void aCheaperHashIsReplacedToo() throws Exception {
    rehashedAfterLogin(hashAt(512, 1, 1));
  }

  private static void rehashedAfterLogin(String older) throws InterruptedException {
    SignedUp account = auth.signedUp();
    auth.query("UPDATE users SET password_hash = $2 WHERE id = $1", account.user().id(), older);
    assertEquals("authenticated", await(auth.logins().password(
      new AuthRequests.Credentials(null, account.email(), PASSWORD, account.client()))).session().state());
    String rehashed = Eventually.eventually(() -> storedHash(account), hash -> hash.startsWith(CONFIGURED),
      "the password hashed again at the configured cost", Duration.ofSeconds(20));
    assertEquals("authenticated", await(auth.logins().password(
      new AuthRequests.Credentials(null, account.email(), PASSWORD, account.client()))).session().state());
    assertEquals(rehashed, storedHash(account), "a current hash is left as it is");
  }

  @Test
  void theRehashIsWrittenOnlyOverTheHashItReplaces() {
    SignedUp account = auth.signedUp();
    String current = storedHash(account);
    UserRepository users = new UserRepository();
    assertFalse(await(users.replacePasswordHash(auth.db().pool(), account.user().id(), hashAt(2048, 2, 1), "$replaced")),
      "the stored hash is another one (a password change came first)");
    assertEquals(current, storedHash(account));
    assertTrue(await(users.replacePasswordHash(auth.db().pool(), account.user().id(), current, hashAt(1024, 1, 1))));
    assertFalse(storedHash(account).equals(current));
  }

  private static String hashAt(int memoryKiB, int iterations, int parallelism) {
    return PasswordHasher.create("native", new PasswordPolicy(8, 256, memoryKiB, iterations, parallelism, "native", 4, 1000))
      .hash(PASSWORD);
  }

  private static String storedHash(SignedUp account) {
    return auth.query("SELECT password_hash FROM users WHERE id = $1", account.user().id()).get(0).getString(0);
  }
}
