package dev.twofa.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waiting for a condition, for what takes a moment (a mail sent, cluster membership, a node's loss, a timer's run):
 * the check is repeated (every few milliseconds at first, at most every 100 ms) and the wait ends as soon as it
 * holds. The deadline only bounds a failure; a passing test never reaches it.
 */
public final class Eventually {
  /** How long a condition may take before the test fails: generous, for a busy machine. */
  public static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final long FIRST_PAUSE_MS = 5;
  private static final long LONGEST_PAUSE_MS = 100;

  private Eventually() {
  }

  /**
   * Calls {@code call} until its answer passes {@code done}, up to {@link #DEADLINE}; returns that answer, or fails
   * naming {@code what}.
   */
  public static <T> T eventually(Supplier<T> call, Predicate<? super T> done, String what) throws InterruptedException {
    return eventually(call, done, what, DEADLINE);
  }

  /** Like {@link #eventually(Supplier, Predicate, String)}, bounded by {@code deadline}. */
  public static <T> T eventually(Supplier<T> call, Predicate<? super T> done, String what, Duration deadline)
      throws InterruptedException {
    long end = System.nanoTime() + deadline.toNanos();
    long pause = FIRST_PAUSE_MS;
    T last = call.get();
    while (!done.test(last)) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError(what + " (not within " + deadline.toSeconds() + " s): last answer " + last);
      }
      Thread.sleep(pause);
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
      last = call.get();
    }
    return last;
  }

  /** Checks {@code done} until it holds, up to {@link #DEADLINE}; fails naming {@code what}. */
  public static void eventually(BooleanSupplier done, String what) throws InterruptedException {
    eventually(done::getAsBoolean, Boolean::booleanValue, what, DEADLINE);
  }

  /** Checks {@code done} until it holds, up to {@code deadline}; fails naming {@code what}. */
  public static void eventually(BooleanSupplier done, String what, Duration deadline) throws InterruptedException {
    eventually(done::getAsBoolean, Boolean::booleanValue, what, deadline);
  }
}
