package dev.twofa.auth.credential.password;

import dev.twofa.bus.BusFailure;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Holds back the 503 for a client address that asks again before the Retry-After of its last 503 has passed.
 * Such a client ignores the answer, and an instant refusal only invites its next request (one address on 64
 * connections sent 4,000 a second, a core's worth of refusals taken from the hashes); held for {@code hold},
 * each of its connections costs a timer and sends one request per hold. Clients that wait out Retry-After are
 * never held; at most {@code maxHeld} answers are held at once, and beyond that they go at once.
 */
final class RefusalTarpit implements Shareable {
  /** Addresses remembered (the most recently refused); a forgotten one is answered at once next time. */
  private static final int MAX_ADDRESSES = 10_000;
  private final Vertx vertx;
  private final Duration hold;
  private final int maxHeld;
  private final LongSupplier nanoTime;
  private final Map<String, Long> retryAfterEnds = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
      return size() > MAX_ADDRESSES;
    }
  };
  private int held;

  public RefusalTarpit(Vertx vertx, Duration hold, int maxHeld, LongSupplier nanoTime) {
    this.vertx = vertx;
    this.hold = hold;
    this.maxHeld = maxHeld;
    this.nanoTime = nanoTime;
  }

  public RefusalTarpit(Vertx vertx, Duration hold, int maxHeld) {
    this(vertx, hold, maxHeld, System::nanoTime);
  }

  /** The refusal, answered now, or after {@code hold} when this address came back before its Retry-After. */
  public <T> Future<T> refuse(String address, BusFailure refusal) {
    if (!holds(address, refusal.retryAfterSeconds() == null ? 1 : refusal.retryAfterSeconds())) {
      return Future.failedFuture(refusal);
    }
    Promise<T> answer = Promise.promise();
    vertx.setTimer(hold.toMillis(), timer -> {
      released();
      answer.fail(refusal);
    });
    return answer.future();
  }

  synchronized int held() {
    return held;
  }

  private synchronized boolean holds(String address, long retryAfterSeconds) {
    long now = nanoTime.getAsLong();
    Long ends = retryAfterEnds.put(address, now + TimeUnit.SECONDS.toNanos(retryAfterSeconds));
    boolean early = ends != null && now - ends < 0;
    if (!early || held >= maxHeld) {
      return false;
    }
    held++;
    return true;
  }

  private synchronized void released() {
    held--;
  }
}
