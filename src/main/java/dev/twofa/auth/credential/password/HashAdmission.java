package dev.twofa.auth.credential.password;

import io.vertx.core.shareddata.Shareable;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Who may queue a password hash. A hash is admitted while the wait it would see (hashes queued and running ×
 * the moving average of recent hash times ÷ hashing threads, scaled up by how much longer than that recent hashes
 * actually waited, see {@link #started}) is under {@code maxWait}, and while fewer than {@code hardCap} are queued
 * or running (a memory bound). No client address and no account holds more than a
 * quarter of what the wait rule admits right now (at least one), so one client cannot take every place.
 * Plain and synchronized: the caller measures hash times and feeds them to {@link #release}, so tests drive
 * it with chosen durations instead of a server. Shareable so every auth verticle instance of a node (they
 * share one hashing pool) shares one admission.
 */
final class HashAdmission implements Shareable {
  /** Weight of the newest hash time in the moving average: about the last eight hashes count. */
  private static final double NEWEST_WEIGHT = 1.0 / 8;
  /** Below this a wait counts as none: a ratio of two such waits would be noise. */
  private static final long LAG_NO_WAIT_NANOS = 5_000_000;
  private static final double LAG_RISE_WEIGHT = 1.0 / 8;
  private static final double LAG_FALL_WEIGHT = 1.0 / 64;
  /**
   * The correction never shrinks the prediction, and at most doubles it: enough for the overshoots measured (about
   * 1.4×), and a burst of 16 is still admitted after an overload, whatever the correction kept, while hashes take
   * under 60 ms.
   */
  private static final double MAX_LAG = 2;
  private final int threads;
  private final long maxWaitNanos;
  private final int hardCap;
  private final Map<String, Integer> byAddress = new HashMap<>();
  private final Map<String, Integer> byAccount = new HashMap<>();
  private final Map<String, Long> refusals = new HashMap<>();
  private double averageNanos;
  /** Actual wait ÷ predicted wait of recent hashes, weighted towards the slow ones (1 while predictions hold). */
  private double lag = 1;
  private boolean measured;
  private int inFlight;

  /** An admitted hash: hand it back to {@link #release} exactly once, when the hash is done or failed. */
  static final class Ticket {
    private final String address;
    private final String account;
    private final long predictedWaitNanos;
    private boolean released;

    private Ticket(String address, String account, long predictedWaitNanos) {
      this.address = address;
      this.account = account;
      this.predictedWaitNanos = predictedWaitNanos;
    }
  }

  /** Why a hash is refused: the expected wait, a client address's or an account's share, the memory cap. */
  public static final List<String> REASONS = List.of("wait", "address_share", "account_share", "hard_cap");

  /** A refusal, with how long the queue ahead would take to drain (the Retry-After). */
  record Refusal(Duration expectedWait, String reason) {
    long retryAfterSeconds() {
      return Math.max(1, (expectedWait.toMillis() + 999) / 1000);
    }
  }

  /** Either a ticket or a refusal. */
  record Decision(Ticket ticket, Refusal refusal) {
    boolean admitted() {
      return ticket != null;
    }
  }

  /** {@code firstEstimate} stands until the first measured hash replaces it. */
  public HashAdmission(int threads, Duration maxWait, int hardCap, Duration firstEstimate) {
    this.threads = Math.max(1, threads);
    this.maxWaitNanos = maxWait.toNanos();
    this.hardCap = Math.max(1, hardCap);
    this.averageNanos = Math.max(1, firstEstimate.toNanos());
  }

  synchronized Decision admit(String address, String account) {
    Refusal refusal = refusal(address, account);
    if (refusal != null) {
      return new Decision(null, refusal);
    }
    Ticket ticket = new Ticket(address, account, modelWaitNanos());
    inFlight++;
    byAddress.merge(address, 1, Integer::sum);
    byAccount.merge(account, 1, Integer::sum);
    return new Decision(ticket, null);
  }

  /**
   * The admitted work reached a hashing thread after {@code waited}. Where recent work waited longer than the
   * hash times predicted (a machine busier than they show, hash times rising faster than the average follows),
   * the prediction is scaled up by that ratio until waits match it again, so admitted logins keep to the bound.
   */
  synchronized void started(Ticket ticket, Duration waited) {
    double ratio;
    if (ticket.predictedWaitNanos < LAG_NO_WAIT_NANOS) {
      if (waited.toNanos() >= LAG_NO_WAIT_NANOS) {
        return;   // no ratio to take
      }
      ratio = 1;   // an empty queue that stayed empty: the prediction held, and a quiet node forgets old lag
    } else {
      ratio = Math.min(MAX_LAG, Math.max(1, waited.toNanos() / (double) ticket.predictedWaitNanos));
    }
    // Eight times quicker to rise than to fall: it settles near the slow end of recent ratios (an expectile at
    // 0.89) rather than their mean, since the bound is on the slowest admitted logins, not the typical one.
    lag += (ratio > lag ? LAG_RISE_WEIGHT : LAG_FALL_WEIGHT) * (ratio - lag);
  }

  /**
   * The refusal {@link #admit} would give now, without taking a place (counted like one): a caller asks before
   * any other work, so an excess request is refused without touching the database.
   */
  synchronized Optional<Refusal> wouldRefuse(String address, String account) {
    return Optional.ofNullable(refusal(address, account));
  }

  private Refusal refusal(String address, String account) {
    int capacity = capacity();
    if (inFlight >= capacity) {
      return refuse(inFlight >= hardCap ? "hard_cap" : "wait");
    }
    int share = Math.max(1, capacity / 4);
    if (byAddress.getOrDefault(address, 0) >= share) {
      return refuse("address_share");
    }
    if (byAccount.getOrDefault(account, 0) >= share) {
      return refuse("account_share");
    }
    return null;
  }

  /** Gives the place back; {@code hashTime} (null when the work was not a hash) moves the average. */
  synchronized void release(Ticket ticket, Duration hashTime) {
    if (ticket.released) {
      return;
    }
    ticket.released = true;
    inFlight--;
    byAddress.computeIfPresent(ticket.address, (k, n) -> n > 1 ? n - 1 : null);
    byAccount.computeIfPresent(ticket.account, (k, n) -> n > 1 ? n - 1 : null);
    if (hashTime != null) {
      measured(hashTime);
    }
  }

  /** A hash timed outside admission (the decoy at start); the first one replaces the first estimate. */
  synchronized void measured(Duration hashTime) {
    double nanos = Math.max(1, hashTime.toNanos());
    averageNanos = measured ? averageNanos + NEWEST_WEIGHT * (nanos - averageNanos) : nanos;
    measured = true;
  }

  /** How many hashes may be queued or running now: the wait rule's count, bounded by the hard cap. */
  synchronized int capacity() {
    // inFlight × average × lag ÷ threads < maxWait  ⇔  inFlight < maxWait × threads ÷ (average × lag).
    long byWait = (long) Math.ceil(maxWaitNanos * (double) threads / (averageNanos * lag));
    return (int) Math.max(1, Math.min(hardCap, byWait));
  }

  /** The wait the hash times alone predict for work admitted now, before the lag's correction. */
  private long modelWaitNanos() {
    return Math.round(inFlight * averageNanos / threads);
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized Duration averageHashTime() {
    return Duration.ofNanos(Math.round(averageNanos));
  }

  /** Refusals so far for {@code reason}, for the metrics. */
  public synchronized long refusals(String reason) {
    return refusals.getOrDefault(reason, 0L);
  }

  private Refusal refuse(String reason) {
    refusals.merge(reason, 1L, Long::sum);
    return new Refusal(Duration.ofNanos(Math.round(modelWaitNanos() * lag)), reason);
  }
}
