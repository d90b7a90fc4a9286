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
 * round measured (for at most {@value #ROUND_SECONDS} s, half again for the rate to climb), wait until the
 * preparation's events are relayed to audit ({@link RelayBacklog}), answer the batch, wait until the answers'
 * events are relayed. The clock runs only while answering; the CPU accounting from the first wait's end to the
 * second's, so a round's CPU is its steps' with their relaying. A round ends when its time is up or its batch is
 * answered, and the rounds go on until the asked seconds have been measured, so the pending logins cannot run
 * out mid-measurement.
 */
final class SecondFactorMode {
  /** Pending logins per client in the first round, before any rate is known. */
  private static final int FIRST_ROUND_PER_CLIENT = 40;
  private static final int ROUND_SECONDS = 3;
  /** Past an empty outbox, for the relay's last commit on audit's side to end before the CPU is read. */
  private static final int SETTLE_MS = 50;
  private static final int DRAIN_SECONDS = 60;
  private static final int MAX_ROUNDS = 100;

  private record Pending(LoadDriver.Browser browser, int user) {
  }

  /** CPU time so far of the server, of PostgreSQL (postmaster and backends), and of their thread groups and processes. */
  private record Cpu(long server, long database, Map<String, Long> threads, Map<String, Long> processes,
                     long generator, long[] machine, long atNanos) {
    static Cpu read(long pid, long databasePid) throws Exception {
      return new Cpu(pid > 0 ? BenchServer.cpuMillis(pid) : 0, databasePid > 0 ? BenchServer.treeCpuMillis(databasePid) : 0,
        pid > 0 ? BenchServer.cpuMillisByThread(pid) : Map.of(),
        databasePid > 0 ? BenchServer.treeCpuMillisByProcess(databasePid) : Map.of(),
        BenchServer.cpuMillis(ProcessHandle.current().pid()), BenchServer.machineCpuMillis(), System.nanoTime());
    }

    /** Adds what each group spent from {@code before} to this reading into {@code sums}. */
    static void addDelta(Map<String, Long> sums, Map<String, Long> before, Map<String, Long> after) {
      java.util.Set<String> groups = new java.util.HashSet<>(after.keySet());
      groups.addAll(before.keySet());
      groups.forEach(g -> sums.merge(g, after.getOrDefault(g, 0L) - before.getOrDefault(g, 0L), Long::sum));
    }
  }

  private SecondFactorMode() {
  }

  static void run(LoadDriver driver, BenchOptions options, long pid, long databasePid, String dbUrl) throws Exception {
    try (RelayBacklog backlog = new RelayBacklog(dbUrl)) {
      run(driver, options, pid, databasePid, backlog);
    }
  }

  private static void run(LoadDriver driver, BenchOptions options, long pid, long databasePid, RelayBacklog backlog)
      throws Exception {
    // Full logins warm the code step's path.
    Benchmark.warmUp(driver, options);
    Stats prep = new Stats();
    Stats stats = new Stats();
    long serverCpu = 0;
    long databaseCpu = 0;
    Map<String, Long> threadCpu = new TreeMap<>();
    Map<String, Long> processCpu = new TreeMap<>();
    long oursCpu = 0;
    long wallMillis = 0;
    long[] machine = {0, 0};
    double measured = 0;
    double rate = 0;
    int prepared = 0;
    double preparing = 0;
    int rounds = 0;
    long waitingBefore = 0;
    long waitingAfter = 0;
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
      waitingBefore = Math.max(waitingBefore, backlog.drain(DRAIN_SECONDS));
      Thread.sleep(SETTLE_MS);
      Cpu before = Cpu.read(pid, databasePid);
      long stepsBefore = stats.count("login.totp");
      double seconds = answer(driver, options, batch, stats, left);
      waitingAfter = Math.max(waitingAfter, backlog.drain(DRAIN_SECONDS));
      Thread.sleep(SETTLE_MS);
      Cpu after = Cpu.read(pid, databasePid);
      serverCpu += after.server() - before.server();
      databaseCpu += after.database() - before.database();
      Cpu.addDelta(threadCpu, before.threads(), after.threads());
      Cpu.addDelta(processCpu, before.processes(), after.processes());
      oursCpu += after.server() - before.server() + after.database() - before.database() + after.generator() - before.generator();
      wallMillis += (after.atNanos() - before.atNanos()) / 1_000_000;
      machine[0] += after.machine()[0] - before.machine()[0];
      machine[1] += after.machine()[1] - before.machine()[1];
      measured += seconds;
      rate = (stats.count("login.totp") - stepsBefore) / seconds;
    }
    System.out.printf("mode second-factor: %.1f s measured in %d rounds; %d pending logins prepared in %.1f s (%s)%n",
      measured, rounds, prepared, preparing, prep.errors().isEmpty() ? "no refusals" : "refused then retried: " + prep.errors());
    System.out.println(stats.line("login.totp", measured));
    System.out.printf("  events waiting for the relay to audit: at most %d after a preparation, %d after answering%n",
      waitingBefore, waitingAfter);
    System.out.println("  errors: " + stats.errors());
    long steps = stats.count("login.totp");
    if (pid > 0 && steps > 0) {
      // Per step, so a loaded machine's lower rate does not hide what each step costs; PostgreSQL's share (the
      // postmaster and its backends) is shown apart, since work moved into SQL costs CPU there.
      double server = (double) serverCpu / steps;
      double database = databasePid > 0 ? (double) databaseCpu / steps : 0;
      System.out.printf("  CPU per second step: server %.2f ms, PostgreSQL %.2f ms (projection at 2 cores: %.0f /s)%n",
        server, database, 2000 / (server + database));
      Benchmark.printSplit("server CPU per step by thread", Map.of(), threadCpu, steps);
      Benchmark.printSplit("PostgreSQL CPU per step by process", Map.of(), processCpu, steps);
      System.out.println(BenchServer.machineLine(new long[] {0, 0}, machine, oursCpu, wallMillis));
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
