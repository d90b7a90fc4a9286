package dev.twofa.auth;

import de.mkammerer.argon2.Argon2;
import de.mkammerer.argon2.Argon2Factory;
import dev.twofa.config.PasswordPolicy;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;

import java.nio.charset.StandardCharsets;

/**
 * Argon2id password hashes in the PHC string format (libargon2 through argon2-jvm), always computed on a
 * worker pool sized to the cores, never on an event loop.
 */
public final class Passwords {
  private final Argon2 argon2 = Argon2Factory.create(Argon2Factory.Argon2Types.ARGON2id);
  private final PasswordPolicy policy;
  private final WorkerExecutor workers;
  private volatile String decoyHash;

  public Passwords(PasswordPolicy policy, WorkerExecutor workers) {
    this.policy = policy;
    this.workers = workers;
  }

  /** Computes the decoy hash checked for unknown emails, so they spend the same time as a wrong password. */
  public Future<Void> start() {
    return hash("decoy password for unknown accounts").onSuccess(h -> decoyHash = h).mapEmpty();
  }

  public Future<String> hash(String password) {
    return workers.executeBlocking(() -> argon2.hash(policy.argon2Iterations(), policy.argon2MemoryKiB(),
      policy.argon2Parallelism(), password.getBytes(StandardCharsets.UTF_8)), false);
  }

  /** Verifies against {@code hash}, or against the decoy when there is no account (and then always fails). */
  public Future<Boolean> verify(String hashOrNull, String password) {
    String hash = hashOrNull != null ? hashOrNull : decoyHash;
    return workers.<Boolean>executeBlocking(() -> argon2.verify(hash, password.getBytes(StandardCharsets.UTF_8)), false)
      .map(ok -> ok && hashOrNull != null);
  }
}
