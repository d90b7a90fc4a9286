package dev.twofa.auth;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Password hashing off the event loop, on a worker pool sized to the cores, behind a bounded admission queue:
 * when {@code maxInFlight} hashes are already running or waiting, a new one is refused at once (503 with
 * Retry-After) instead of making every login wait longer.
 */
public final class Passwords {
  private static final Logger LOG = LoggerFactory.getLogger(Passwords.class);
  private final PasswordHasher hasher;
  private final WorkerExecutor workers;
  private final int maxInFlight;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile String decoyHash;

  public Passwords(PasswordHasher hasher, WorkerExecutor workers, int maxInFlight) {
    this.hasher = hasher;
    this.workers = workers;
    this.maxInFlight = maxInFlight;
  }

  /** Computes the decoy hash checked for unknown emails, so they spend the same time as a wrong password. */
  public Future<Void> start() {
    LOG.info("event=passwords.ready hasher={} max_in_flight={}", hasher.name(), maxInFlight);
    return hash("decoy password for unknown accounts").onSuccess(h -> decoyHash = h).mapEmpty();
  }

  public Future<String> hash(String password) {
    return admitted(() -> hasher.hash(password));
  }

  /** Verifies against {@code hash}, or against the decoy when there is no account (and then always fails). */
  public Future<Boolean> verify(String hashOrNull, String password) {
    String hash = hashOrNull != null ? hashOrNull : decoyHash;
    return admitted(() -> hasher.verify(hash, password)).map(ok -> ok && hashOrNull != null);
  }

  private <T> Future<T> admitted(Callable<T> work) {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new BusFailure(ErrorCode.OVERLOADED, null, 1L));
    }
    return workers.executeBlocking(work, false).onComplete(done -> inFlight.decrementAndGet());
  }
}
