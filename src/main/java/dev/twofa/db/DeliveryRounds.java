package dev.twofa.db;

import io.vertx.core.Future;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * How an outbox is delivered (the mail outbox, the OpenID Connect back-channel logouts): its rows are written in the
 * transaction of the change they report, then sent in rounds. A round sends batch after batch (each locks its due
 * rows {@code FOR UPDATE SKIP LOCKED}, so any node may run one beside another) until a batch comes back short.
 * {@link #nudge()} starts a round unless one runs here already, in which case that round goes round once more when
 * it ends (its SELECT may have run before the nudging commit). A row that fails waits by its outbox's
 * {@link Backoff}. The table's SQL and the sending stay with the outbox.
 */
public final class DeliveryRounds {
  /** What one batch did: how many rows it locked, how many of them it delivered. */
  public record Batch(int locked, int delivered) {
  }

  /**
   * When a failed row is tried again: {@code first} after its first failure, doubling, at most {@code max}; a row
   * still failing {@code giveUpAfter} after it was written is given up.
   */
  public record Backoff(Duration first, Duration max, Duration giveUpAfter) {
    public Duration after(int attempts) {
      int doublings = Math.min(Math.max(attempts - 1, 0), 20);
      Duration wait = first.multipliedBy(1L << doublings);
      return wait.compareTo(max) > 0 ? max : wait;
    }

    /** Whether a row written at {@code createdAt} that failed again at {@code now} is to be given up. */
    public boolean givesUp(Instant createdAt, Instant now) {
      return !createdAt.isAfter(now.minus(giveUpAfter));
    }
  }

  private final int batchSize;
  private final Supplier<Future<Batch>> batch;
  private final Consumer<Throwable> roundFailed;
  private boolean delivering;
  private boolean nudgedMeanwhile;

  /**
   * Rounds of {@code batch}, which locks at most {@code batchSize} due rows and delivers them; {@code roundFailed}
   * hears of a round that failed (a nudge never fails).
   */
  public DeliveryRounds(int batchSize, Supplier<Future<Batch>> batch, Consumer<Throwable> roundFailed) {
    this.batchSize = batchSize;
    this.batch = batch;
    this.roundFailed = roundFailed;
  }

  /** Starts a round unless one is running here already (which then goes round once more). */
  public void nudge() {
    if (delivering) {
      nudgedMeanwhile = true;
      return;
    }
    delivering = true;
    nudgedMeanwhile = false;
    deliverDue()
      .onFailure(roundFailed::accept)
      .onComplete(done -> {
        delivering = false;
        if (nudgedMeanwhile) {
          nudge();
        }
      });
  }

  /** Delivers every due row, a batch per transaction, until none is left; returns how many were delivered. */
  public Future<Integer> deliverDue() {
    return batch.get().compose(result -> result.locked() < batchSize
      ? Future.succeededFuture(result.delivered())
      : deliverDue().map(more -> result.delivered() + more));
  }
}
