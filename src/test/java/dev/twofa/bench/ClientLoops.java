package dev.twofa.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * How the load driver offers load: closed loops (each client starts its next request once the last is
 * answered) and an open loop (arrivals at a fixed rate). Either ends the whole run, rather than hang, when it
 * cannot go on.
 */
final class ClientLoops {
  /** How long past its end a run waits for the answers still on the way before it ends as stuck. */
  private static final int ANSWER_GRACE_SECONDS = 120;
  private final Vertx vertx;

  /**
   * The run cannot go on: a pool ran out, the server did not answer, or an iteration threw. The loops end, and
   * the benchmark ends the run with this message (a non-zero exit under --strict).
   */
  static class RunStopped extends RuntimeException {
    RunStopped(String message) {
      super(message, null, false, false);
    }
  }

  ClientLoops(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Runs {@code clients} closed loops of {@code iteration} for {@code seconds}, or until {@code counter} reaches
   * {@code limit}; returns the measured seconds.
   */
  double closedLoop(int clients, double seconds, Supplier<Future<?>> iteration, AtomicInteger counter, int limit) {
    long start = System.nanoTime();
    long deadline = start + (long) (seconds * 1e9);
    await(loops(clients, () -> System.nanoTime() >= deadline || counter.get() >= limit, iteration),
      (long) seconds + ANSWER_GRACE_SECONDS);
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * Starts {@code clients} loops, each calling {@code iteration} again once its last future completes, until
   * {@code over}. Iterative: a future already complete is followed in the same while loop, and one completing
   * later resumes the loop on a fresh turn of its event loop, so no chain of futures grows the stack. When an
   * iteration throws or fails with {@link RunStopped}, every loop ends and the answer fails with it.
   */
  Future<Void> loops(int clients, BooleanSupplier over, Supplier<Future<?>> iteration) {
    AtomicReference<RunStopped> stopped = new AtomicReference<>();
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Context context = vertx.getOrCreateContext();
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> loop(context, over, iteration, stopped, done));
      loops.add(done.future());
    }
    return Future.join(loops).transform(r -> stopped.get() == null ? Future.succeededFuture() : Future.failedFuture(stopped.get()));
  }

  private static void loop(Context context, BooleanSupplier over, Supplier<Future<?>> iteration,
                           AtomicReference<RunStopped> stopped, Promise<Void> done) {
    while (stopped.get() == null && !over.getAsBoolean()) {
      Future<?> next;
      try {
        next = iteration.get();
      } catch (RuntimeException e) {
        stopped.compareAndSet(null, e instanceof RunStopped s ? s : new RunStopped("a client failed: " + e));
        break;
      }
      if (!next.isComplete()) {
        next.onComplete(r -> context.runOnContext(v -> {
          noteStop(r, stopped);
          loop(context, over, iteration, stopped, done);
        }));
        return;
      }
      noteStop(next, stopped);
    }
    done.complete();
  }

  private static void noteStop(AsyncResult<?> result, AtomicReference<RunStopped> stopped) {
    if (result.failed() && result.cause() instanceof RunStopped s) {
      stopped.compareAndSet(null, s);
    }
  }

  /**
   * Starts {@code perSecond} calls of {@code arrival} per second regardless of answers (open loop); stops early
   * when one fails with {@link RunStopped}.
   */
  double openLoop(double perSecond, int seconds, Supplier<Future<?>> arrival) {
    AtomicLong started = new AtomicLong();
    AtomicLong finished = new AtomicLong();
    AtomicReference<RunStopped> stopped = new AtomicReference<>();
    long start = System.nanoTime();
    Promise<Void> done = Promise.promise();
    vertx.setPeriodic(5, id -> {
      double elapsed = (System.nanoTime() - start) / 1e9;
      if (elapsed >= seconds || stopped.get() != null) {
        vertx.cancelTimer(id);
        vertx.setPeriodic(50, wait -> {
          if (finished.get() >= started.get()) {
            vertx.cancelTimer(wait);
            done.tryComplete();
          }
        });
        return;
      }
      while (started.get() < elapsed * perSecond) {
        started.incrementAndGet();
        Future<?> answer;
        try {
          answer = arrival.get();
        } catch (RuntimeException e) {
          answer = Future.failedFuture(e instanceof RunStopped ? e : new RunStopped("a client failed: " + e));
        }
        answer.onComplete(r -> {
          noteStop(r, stopped);
          finished.incrementAndGet();
        });
      }
    });
    await(done.future(), seconds + ANSWER_GRACE_SECONDS);
    if (stopped.get() != null) {
      throw stopped.get();
    }
    return (System.nanoTime() - start) / 1e9;
  }

  static <T> T await(Future<T> future) {
    return await(future, ANSWER_GRACE_SECONDS);
  }

  /** The future's value; a {@link RunStopped} when it fails with one or is not complete within {@code seconds}. */
  static <T> T await(Future<T> future, long seconds) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new RunStopped("gave up waiting after " + seconds + " s: the server stopped answering or a client is stuck");
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RunStopped s ? s : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
