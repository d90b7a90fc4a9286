package dev.twofa.auth.credential.password;

import dev.twofa.auth.Door;
import dev.twofa.auth.credential.password.HashAdmission.Decision;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.PasswordPolicy;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Vertx;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Password hashing off the event loop, on a worker pool sized to the cores, behind {@link HashAdmission}: a
 * hash that would wait too long, or whose client address or account already holds its share of the queue, is
 * refused at once (503 with Retry-After) instead of making every login wait longer. Every caller names the
 * client address and the account (an unknown email's canonical string), so unknown accounts are admitted
 * like known ones. A client that asks again before its Retry-After gets its refusal late ({@link RefusalTarpit}).
 */
@Door
public final class Passwords {
  private static final Logger LOG = LoggerFactory.getLogger(Passwords.class);
  /** The decoy is computed at start by the node itself, not by a client. */
  private static final String STARTUP = "startup";
  /** A stored hash may cost up to this many times the configured parameters; beyond, it is refused unread. */
  static final int MAX_COST_FACTOR = 4;
  private final PasswordHasher hasher;
  private final PasswordPolicy policy;
  private final WorkerExecutor workers;
  private final HashAdmission admission;
  private final LongSupplier nanoTime;
  private final Timer queueWait;
  private final RefusalTarpit tarpit;
  private volatile String decoyHash;

  /** A refusal for a client that did not wait out its Retry-After is held this long; at most this many at once. */
  private static final Duration TARPIT_HOLD = Duration.ofSeconds(1);
  private static final int TARPIT_MAX_HELD = 4096;
  /** Stands until the decoy hash at start is timed: a guess on the slow side, so the first burst is not over-admitted. */
  private static final Duration FIRST_HASH_ESTIMATE = Duration.ofMillis(100);

  /**
   * The node's password room: hashing threads as many as cores (hashing is CPU-bound: more threads only make every
   * login wait longer), and one admission and one tarpit per node, like the pool they guard, however many auth
   * instances share them. Close {@code workers} when the verticle stops.
   */
  public static Passwords create(Vertx vertx, WorkerExecutor workers, int threads, PasswordPolicy policy,
                                 MeterRegistry metrics) {
    HashAdmission admission = vertx.sharedData().<String, HashAdmission>getLocalMap("twofa-password-hashing")
      .computeIfAbsent("admission", name -> new HashAdmission(threads,
        Duration.ofMillis(policy.maxHashWaitMs()), policy.maxHashesInFlight(), FIRST_HASH_ESTIMATE));
    // Counted where admission decides, so each node's /metrics shows why it refused (twofa_hash_refusals_total).
    for (String reason : HashAdmission.REASONS) {
      FunctionCounter.builder("twofa.hash.refusals", admission, a -> a.refusals(reason))
        .description("Password hashes refused at admission, by reason").tag("reason", reason).register(metrics);
    }
    Timer queueWait = Timer.builder("twofa.hash.queue.wait")
      .description("How long admitted password hashes waited for a hashing thread").publishPercentiles(0.5, 0.99)
      .register(metrics);
    RefusalTarpit tarpit = vertx.sharedData().<String, RefusalTarpit>getLocalMap("twofa-password-hashing")
      .computeIfAbsent("tarpit", name -> new RefusalTarpit(vertx, TARPIT_HOLD, TARPIT_MAX_HELD));
    return new Passwords(PasswordHasher.create(policy.hasher(), policy), policy, workers, admission, queueWait, tarpit);
  }

  /**
   * {@code queueWait} records how long each admitted piece of work waited for a hashing thread; {@code tarpit}
   * answers the refusals.
   */
  Passwords(PasswordHasher hasher, PasswordPolicy policy, WorkerExecutor workers, HashAdmission admission,
            LongSupplier nanoTime, Timer queueWait, RefusalTarpit tarpit) {
    this.hasher = hasher;
    this.policy = policy;
    this.workers = workers;
    this.admission = admission;
    this.nanoTime = nanoTime;
    this.queueWait = queueWait;
    this.tarpit = tarpit;
  }

  Passwords(PasswordHasher hasher, PasswordPolicy policy, WorkerExecutor workers, HashAdmission admission,
            Timer queueWait, RefusalTarpit tarpit) {
    this(hasher, policy, workers, admission, System::nanoTime, queueWait, tarpit);
  }

  /**
   * Computes the decoy hash checked for unknown emails, so they spend the same time as a wrong password; its
   * time seeds the measured hash time.
   */
  public Future<Void> start() {
    return hash("decoy password for unknown accounts", STARTUP, STARTUP).onSuccess(h -> {
      decoyHash = h;
      LOG.info("event=passwords.ready hasher={} hash_ms={} admitted_now={}", hasher.name(),
        admission.averageHashTime().toMillis(), admission.capacity());
    }).mapEmpty();
  }

  public Future<String> hash(String password, String address, String account) {
    return admitted(address, account, true, () -> hasher.hash(password));
  }

  /**
   * Verifies against the account {@code userId}'s stored hash, or against the decoy when there is no account (both
   * null; then it always fails). A stored hash that is not an Argon2id PHC string, or that costs more than
   * {@link #MAX_COST_FACTOR} times the configured parameters (a row written by hand or by an attacker, which would
   * hold a hashing thread for seconds), is never run: the decoy runs instead, so it fails like a wrong password in
   * the same time, and an ERROR names the account.
   */
  public Future<Boolean> verify(Long userId, String hashOrNull, String password, String address, String account) {
    boolean runnable = hashOrNull != null && runnable(userId, hashOrNull);
    String hash = runnable ? hashOrNull : decoyHash;
    return admitted(address, account, true, () -> hasher.verify(hash, password)).map(ok -> ok && runnable);
  }

  private boolean runnable(Long userId, String hash) {
    Optional<PhcString> stored = PhcString.parse(hash);
    if (stored.isPresent() && stored.get().costsAtMost(policy, MAX_COST_FACTOR)) {
      return true;
    }
    LOG.error("event=password.hash_refused user={} stored={} configured=m={},t={},p={} message=\"the stored password"
        + " hash is not Argon2id or costs more than {}x the configured parameters; the login fails until the"
        + " password is reset\"", userId, stored.map(PhcString::toString).orElse("not an argon2id PHC string"),
      policy.argon2MemoryKiB(), policy.argon2Iterations(), policy.argon2Parallelism(), MAX_COST_FACTOR);
    return false;
  }

  /**
   * After a successful login with {@code password}: when {@code storedHash} is not what the hasher writes now
   * (another cost, or salt or hash length), hashes the password again on the hashing threads (admitted like any
   * hash; a refusal only leaves it for the next login) and hands the new hash to {@code compareAndSet}, which
   * stores it only over {@code storedHash}. True when a new hash was stored.
   */
  public Future<Boolean> rehashIfOutdated(long userId, String storedHash, String password, String address,
                                          String account, Function<String, Future<Boolean>> compareAndSet) {
    Optional<PhcString> stored = PhcString.parse(storedHash);
    if (stored.isEmpty() || stored.get().current(policy)) {
      return Future.succeededFuture(false);
    }
    return hash(password, address, account).compose(compareAndSet)
      .onSuccess(written -> LOG.info("event=password.rehashed user={} from={} written={}", userId, stored.get(), written))
      .recover(error -> {
        LOG.info("event=password.rehash_skipped user={} error={}", userId, error.toString());
        return Future.succeededFuture(false);
      });
  }

  /**
   * Fails with {@code overloaded} when a hash for this client address and account would be refused now, so a
   * caller refuses excess work before its database reads; a later {@link #verify} still decides.
   */
  public Future<Void> admissible(String address, String account) {
    return admission.wouldRefuse(address, account).map(refusal -> tarpit.<Void>refuse(address, overloaded(refusal)))
      .orElseGet(Future::succeededFuture);
  }

  /** Other work on the hashing threads (the strength check): admitted like a hash, not timed as one. */
  public <T> Future<T> onHashingThreads(String address, String account, Callable<T> work) {
    return admitted(address, account, false, work);
  }

  private <T> Future<T> admitted(String address, String account, boolean isHash, Callable<T> work) {
    Decision decision = admission.admit(address, account);
    if (!decision.admitted()) {
      return tarpit.refuse(address, overloaded(decision.refusal()));
    }
    long[] ran = new long[1];
    long admitted = nanoTime.getAsLong();
    return workers.<T>executeBlocking(() -> {
      // Timed on the worker: the wait in the queue is not part of a hash's time.
      long start = nanoTime.getAsLong();
      queueWait.record(start - admitted, TimeUnit.NANOSECONDS);
      admission.started(decision.ticket(), Duration.ofNanos(start - admitted));
      try {
        return work.call();
      } finally {
        ran[0] = nanoTime.getAsLong() - start;
      }
    }, false).onComplete(done -> admission.release(decision.ticket(), isHash && done.succeeded()
      ? Duration.ofNanos(ran[0]) : null));
  }

  private static BusFailure overloaded(HashAdmission.Refusal refusal) {
    return new BusFailure(ErrorCode.OVERLOADED, null, refusal.retryAfterSeconds());
  }
}
