package dev.twofa.bench;

import dev.twofa.auth.credential.password.PasswordHasher;
import dev.twofa.config.PasswordPolicy;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hash floor, two ways: one argon2id at the server's parameters on an idle machine (median of 15), giving
 * cores ÷ hash time; and as many threads as the server hashes on (the cores), hashing side by side for 3 s, giving
 * what those threads really do together (parallel hashes share memory bandwidth and caches) and the CPU one hash
 * costs among them. Measured in the benchmark's JVM before the server starts, with the server's implementation.
 */
record HashFloor(double idleHashMs, double parallelPerSecond, double parallelHashCpuMs) {
  private static final int CORES = Runtime.getRuntime().availableProcessors();

  double idlePerSecond() {
    return CORES * 1000 / idleHashMs;
  }

  static HashFloor measure(BenchOptions options) throws InterruptedException {
    PasswordHasher hasher = PasswordHasher.create(options.hasher(),
      new PasswordPolicy(8, 256, options.argon2()[0], options.argon2()[1], options.argon2()[2], options.hasher(), 1, 1000));
    for (int i = 0; i < 5; i++) {
      hasher.hash("warm-up-password");
    }
    double[] ms = new double[15];
    for (int i = 0; i < ms.length; i++) {
      long start = System.nanoTime();
      hasher.hash("measured-password-" + i);
      ms[i] = (System.nanoTime() - start) / 1e6;
    }
    Arrays.sort(ms);
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    AtomicLong hashes = new AtomicLong();
    AtomicLong cpuNanos = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + 3_000_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < CORES; t++) {
      Thread thread = new Thread(() -> {
        long cpuStart = cpu.getCurrentThreadCpuTime();
        for (int i = 0; System.nanoTime() < deadline; i++) {
          hasher.hash("parallel-password-" + i);
          hashes.incrementAndGet();
        }
        cpuNanos.addAndGet(cpu.getCurrentThreadCpuTime() - cpuStart);
      });
      thread.start();
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    HashFloor floor = new HashFloor(ms[ms.length / 2], hashes.get() / ((System.nanoTime() - start) / 1e9),
      cpuNanos.get() / 1e6 / hashes.get());
    System.out.printf("hash floor: one argon2id (%s) %.1f ms on an idle machine -> %d cores / hash time = %.1f logins/s; "
        + "%d threads side by side: %.1f hashes/s, %.1f ms of CPU a hash%n",
      hasher.name(), floor.idleHashMs(), CORES, floor.idlePerSecond(), CORES, floor.parallelPerSecond(),
      floor.parallelHashCpuMs());
    return floor;
  }
}
