package dev.twofa.auth;

import dev.twofa.config.PasswordPolicy;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class PasswordsTest {

  @Test
  void hashesWithTheDefaultArgon2idParametersInPhcFormat(Vertx vertx, VertxTestContext test) {
    WorkerExecutor workers = vertx.createSharedWorkerExecutor("test-hash", 2);
    Passwords passwords = new Passwords(new PasswordPolicy(8, 256, 19456, 2, 1), workers);
    passwords.start()
      .compose(ready -> passwords.hash("plum-violet-harbor-1987"))
      .compose(hash -> {
        test.verify(() -> assertTrue(hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$"), hash));
        return passwords.verify(hash, "plum-violet-harbor-1987")
          .compose(right -> passwords.verify(hash, "plum-violet-harbor-1988")
            .compose(wrong -> passwords.verify(null, "decoy password for unknown accounts")
              .map(decoy -> new boolean[] {right, wrong, decoy})));
      })
      .onComplete(test.succeeding(results -> test.verify(() -> {
        assertTrue(results[0], "the right password");
        assertFalse(results[1], "a wrong password");
        assertFalse(results[2], "an unknown account never passes, even with the decoy's own password");
        test.completeNow();
      })));
  }
}
