package dev.twofa.support;

import dev.twofa.support.ApiClient.Response;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Retrying a check until it passes, for what takes a moment (cluster membership, a node's loss, a timer's run). */
public final class Eventually {
  private Eventually() {
  }

  /** Retries {@code call} until its answer passes {@code done}, for up to 60 s; fails naming {@code what}. */
  public static Response eventually(Supplier<Response> call, Predicate<Response> done, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    Response last = call.get();
    while (!done.test(last) && Instant.now().isBefore(deadline)) {
      Thread.sleep(250);
      last = call.get();
    }
    if (!done.test(last)) {
      throw new AssertionError(what + ": last answer " + last);
    }
    return last;
  }

  /** Checks {@code done} until it holds, for up to 60 s; fails naming {@code what}. */
  public static void eventually(BooleanSupplier done, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!done.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(what);
      }
      Thread.sleep(250);
    }
  }
}
