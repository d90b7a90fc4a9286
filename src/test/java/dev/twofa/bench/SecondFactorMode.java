package dev.twofa.bench;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The second-factor step alone. Each step needs a pending login prepared by a password step of its own, which
 * holds its user until the code is sent, so S steps/s for T seconds consume S × T pending logins and users.
 * Rather than guess S before the run, the mode runs in rounds: prepare a batch sized from the rate the last
 * round measured (for at most {@value #ROUND_SECONDS} s, half again for the rate to climb), let the server
 * settle, answer the batch; the clock and the CPU accounting run only while answering. A round ends when its
 * time is up or its batch is answered, and the rounds go on until the asked seconds have been measured, so the
 * pending logins cannot run out mid-measurement.
 */
final class SecondFactorMode {
  /** Pending logins per client in the first round, before any rate is known. */
  private static final int FIRST_ROUND_PER_CLIENT = 40;
  private static final int ROUND_SECONDS = 3;
  /** Lets the work a phase leaves behind (events relayed to audit every 50 ms, GC) end before the CPU is read. */
  private static final int SETTLE_MS = 250;
  private static final int MAX_ROUNDS = 100;

  private record Pending(LoadDriver.Browser browser, int user) {
  }

  /** CPU time so far of the server, of PostgreSQL (postmaster and backends), and of the server's thread groups. */
  private record Cpu(long server, long database, Map<String, Long> threads) {
    static Cpu read(long pid, long databasePid) throws Exception {
      return new Cpu(pid > 0 ? BenchServer.cpuMillis(pid) : 0, databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) : 0,
        pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of());
    }
  }

  private SecondFactorMode() {
  }

  static void run(LoadDriver driver, BenchOptions options, long pid, long databasePid) throws Exception {
    // Full logins warm the code step's path.
    Benchmark.warmUp(driver, options);
    Stats prep = new Stats();
    Stats stats = new Stats();
    long serverCpu = 0;
    long databaseCpu = 0;
    Map<String, Long> threadCpu = new TreeMap<>();
    double measured = 0;
    double rate = 0;
    int prepared = 0;
    double preparing = 0;
    int rounds = 0;
    while (measured < options.seconds() - 0.01) {
      if (++rounds > MAX_ROUNDS) {
        throw new ClientLoops.RunStopped("second-factor: " + MAX_ROUNDS + " rounds measured only " + measured + " s");
      }
      double left = options.seconds() - measured;
      int size = rate > 0 ? (int) Math.ceil(1.5 * rate * Math.min(left, ROUND_SECONDS)) + options.clients()
        : FIRST_ROUND_PER_CLIENT * options.clients();
      driver.ensureFree(size + options.clients(), String.format("a round of %d pending logins", size));
      long prepStart = System.nanoTime();
      List<Pending> batch = prepare(driver, options, size, prep);
      preparing += (System.nanoTime() - prepStart) / 1e9;
      prepared += batch.size();
      Thread.sleep(SETTLE_MS);
      Cpu before = Cpu.read(pid, databasePid);
      long stepsBefore = stats.count("login.totp");
      double seconds = answer(driver, options, batch, stats, left);
      Thread.sleep(SETTLE_MS);
      Cpu after = Cpu.read(pid, databasePid);
      serverCpu += after.server() - before.server();
      databaseCpu += after.database() - before.database();
      after.threads().forEach((group, ms) -> threadCpu.merge(group, ms - before.threads().getOrDefault(group, 0L), Long::sum));
      measured += seconds;
      rate = (stats.count("login.totp") - stepsBefore) / seconds;
    }
    System.out.printf("mode second-factor: %.1f s measured in %d rounds; %d pending logins prepared in %.1f s (%s)%n",
      measured, rounds, prepared, preparing, prep.errors().isEmpty() ? "no refusals" : "refused then retried: " + prep.errors());
    System.out.println(stats.line("login.totp", measured));
    System.out.println("  errors: " + stats.errors());
    long steps = stats.count("login.totp");
    if (pid > 0 && steps > 0) {
      // Per step, so a loaded machine's lower rate does not hide what each step costs; PostgreSQL's share (the
      // postmaster and its backends) is shown apart, since work moved into SQL costs CPU there.
      double server = (double) serverCpu / steps;
      double database = databasePid > 0 ? (double) databaseCpu / steps : 0;
      System.out.printf("  CPU per second step: server %.2f ms, PostgreSQL %.2f ms (projection at 2 cores: %.0f /s)%n",
        server, database, 2000 / (server + database));
      Benchmark.printByThread(Map.of(), threadCpu, steps, "step");
    }
    Benchmark.check("second-factor", stats, "login.totp");
  }

  /** {@code count} pending logins (password step passed), each holding its user until its code is sent. */
  private static List<Pending> prepare(LoadDriver driver, BenchOptions options, int count, Stats prep) {
    List<Pending> ready = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger made = new AtomicInteger();
    driver.closedLoop(options.clients(), 3600, () -> {
      if (made.getAndIncrement() >= count) {
        made.decrementAndGet();
        return Future.succeededFuture();
      }
      int user = driver.nextUser();
      LoadDriver.Browser b = driver.browser();
      return b.get(prep, "session", "/api/session", 200)
        .compose(r -> b.post(prep, "login.password", "/api/login", LoadDriver.credentials(Seeder.email(user), Seeder.PASSWORD), 200))
        .compose(r -> {
          if (r.statusCode() != 200) {
            driver.release(user);
            made.decrementAndGet();
            return driver.backOff(r);
          }
          ready.add(new Pending(b, user));
          return Future.succeededFuture();
        });
    }, made, count);
    return ready;
  }

  /** Sends the codes of {@code pending} for at most {@code seconds}; returns the seconds taken. */
  private static double answer(LoadDriver driver, BenchOptions options, List<Pending> pending, Stats stats, double seconds) {
    AtomicInteger next = new AtomicInteger();
    return driver.closedLoop(options.clients(), seconds, () -> {
      int i = next.getAndIncrement();
      if (i >= pending.size()) {
        return Future.succeededFuture();
      }
      Pending p = pending.get(i);
      return p.browser().post(stats, "login.totp", "/api/login/totp", new JsonObject().put("code", driver.code(p.user())), 200)
        .andThen(r -> driver.release(p.user()));
    }, next, pending.size());
  }
}
