package dev.twofa.bench;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The admission modes (issue 12): a burst of people logging in at the same moment, and one abusive address at
 * full speed while well-behaved people log in from their own addresses.
 */
final class CapacityModes {
  private static final int BURST = 16;
  private static final int WELL_BEHAVED = 8;
  /** Concurrent requests of the abusive address: far more than its share of the hash queue. */
  private static final int ABUSER_STREAMS = 64;
  private static final String ABUSER = "198.51.100.66";

  private CapacityModes() {
  }

  /** Rounds of 16 full logins started at the same moment (sessions fetched first); refusals are counted, not retried. */
  static void burst(LoadDriver driver, BenchOptions options) {
    Stats stats = new Stats();
    int rounds = Math.max(3, options.seconds());
    driver.ensureFree(rounds * BURST, rounds + " rounds of " + BURST + " logins");
    long start = System.nanoTime();
    for (int round = 0; round < rounds; round++) {
      List<Integer> users = new ArrayList<>();
      List<LoadDriver.Browser> browsers = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        LoadDriver.Browser b = driver.browser();
        LoadDriver.await(b.get(stats, "session", "/api/session", 200));
        users.add(driver.nextUser());
        browsers.add(b);
      }
      List<Future<?>> logins = new ArrayList<>();
      for (int i = 0; i < BURST; i++) {
        int user = users.get(i);
        LoadDriver.Browser b = browsers.get(i);
        logins.add(b.post(stats, "login.password", "/api/login", LoadDriver.credentials(Seeder.email(user), Seeder.PASSWORD), 200)
          .compose(r -> r.statusCode() == 200
            ? b.post(stats, "login.totp", "/api/login/totp", new io.vertx.core.json.JsonObject().put("code", driver.code(user)), 200)
            : Future.succeededFuture(r))
          .andThen(done -> driver.release(user)));
      }
      LoadDriver.await(Future.join(logins).otherwiseEmpty());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long refused = stats.errors().getOrDefault("login.password 503", 0L);
    System.out.printf("mode burst: %d rounds of %d logins at the same moment: %d of %d refused%n", rounds, BURST,
      refused, (long) rounds * BURST);
    System.out.println(stats.line("login.password", seconds));
    System.out.println(stats.line("login.totp", seconds));
    System.out.println("  errors: " + stats.errors());
    // A burst of 16 is normal traffic: a refusal here is a problem, not an expected answer.
    Benchmark.check("burst", stats, "login.totp");
  }

  /**
   * One address sends password guesses for unknown accounts on 64 streams without ever waiting, while 8
   * well-behaved clients (each login from its own address, waiting out Retry-After) log in fully.
   */
  static void abuse(LoadDriver driver, BenchOptions options, HashFloor floor) {
    // The well-behaved logins run at most at the full mode's rate (or the hash floor's when it did not run).
    double rate = Benchmark.fullRate() > 0 ? Benchmark.fullRate() : floor.parallelPerSecond();
    driver.ensureFree(LoadDriver.usersFor(rate, options.seconds(), WELL_BEHAVED),
      String.format("%d well-behaved clients at up to %.0f logins/s", WELL_BEHAVED, rate));
    Stats abuser = new Stats();
    Stats good = new Stats();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger guesses = new AtomicInteger();
    LoadDriver.Browser attacker = driver.browser(ABUSER);
    LoadDriver.await(attacker.get(abuser, "session", "/api/session", 200));
    // Each stream sends its next guess as soon as the last is answered, whatever the answer.
    Future<Void> streams = driver.loops(ABUSER_STREAMS, () -> !running.get(), () -> {
      int n = guesses.incrementAndGet();
      return attacker.post(abuser, "guess", "/api/login", LoadDriver.credentials("nobody-" + n + "@example.com", "guess-" + n), 200);
    });
    double seconds;
    try {
      seconds = driver.closedLoop(WELL_BEHAVED, options.seconds(), () -> driver.login(good));
    } finally {
      running.set(false);
    }
    LoadDriver.await(streams);
    long ok = good.count("login.full");
    long failed = good.errors().getOrDefault("login.full 0", 0L);
    System.out.printf("mode abuse: 1 address on %d streams at full speed, %d well-behaved clients from their own addresses%n",
      ABUSER_STREAMS, WELL_BEHAVED);
    System.out.printf("  well-behaved: %d of %d full logins succeeded (%.1f%%), full-login p50 %.1f ms p99 %.1f ms%n",
      ok, ok + failed, ok + failed == 0 ? 0 : 100.0 * ok / (ok + failed), good.quantileMs("login.full", 0.5),
      good.quantileMs("login.full", 0.99));
    long refused = abuser.errors().getOrDefault("guess 503", 0L);
    long answered = abuser.errors().getOrDefault("guess 401", 0L);
    System.out.printf("  abuser: %d guesses (%.0f/s), %d hashed and refused as wrong, %d refused with 503 (%.1f%%)%n",
      guesses.get(), guesses.get() / seconds, answered, refused, guesses.get() == 0 ? 0 : 100.0 * refused / guesses.get());
    System.out.println("  well-behaved errors: " + good.errors());
    Benchmark.printAdmission();
    Benchmark.check("abuse", good, "login.full", " 503", "login.full 0");
  }
}
