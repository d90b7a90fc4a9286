package dev.twofa.auth;

import io.vertx.core.shareddata.Shareable;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may queue a password hash. A hash is admitted while the wait it would see (hashes queued and running ×
 * the moving average of recent hash times ÷ hashing threads) is under {@code maxWait}, and while fewer than
 * {@code hardCap} are queued or running (a memory bound). No client address and no account holds more than a
 * quarter of what the wait rule admits right now (at least one), so one client cannot take every place.
 * Plain and synchronized: the caller measures hash times and feeds them to {@link #release}, so tests drive
 * it with chosen durations instead of a server. Shareable so every auth verticle instance of a node (they
 * share one hashing pool) shares one admission.
 */
final class HashAdmission implements Shareable {
  /** Weight of the newest hash time in the moving average: about the last eight hashes count. */
  private static final double NEWEST_WEIGHT = 1.0 / 8;
  private final int threads;
  private final long maxWaitNanos;
  private final int hardCap;
  private final Map<String, Integer> byAddress = new HashMap<>();
  private final Map<String, Integer> byAccount = new HashMap<>();
  private final Map<String, Long> refusals = new HashMap<>();
  private double averageNanos;
  private boolean measured;
  private int inFlight;

  /** An admitted hash: hand it back to {@link #release} exactly once, when the hash is done or failed. */
  static final class Ticket {
    private final String address;
    private final String account;
    private boolean released;

    private Ticket(String address, String account) {
      this.address = address;
      this.account = account;
    }
  }

  /** Why a hash is refused: the expected wait, a client address's or an account's share, the memory cap. */
  static final List<String> REASONS = List.of("wait", "address_share", "account_share", "hard_cap");

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
  HashAdmission(int threads, Duration maxWait, int hardCap, Duration firstEstimate) {
    this.threads = Math.max(1, threads);
    this.maxWaitNanos = maxWait.toNanos();
    this.hardCap = Math.max(1, hardCap);
    this.averageNanos = Math.max(1, firstEstimate.toNanos());
  }

  synchronized Decision admit(String address, String account) {
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
    inFlight++;
    byAddress.merge(address, 1, Integer::sum);
    byAccount.merge(account, 1, Integer::sum);
    return new Decision(new Ticket(address, account), null);
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
    // inFlight × average ÷ threads < maxWait  ⇔  inFlight < maxWait × threads ÷ average.
    long byWait = (long) Math.ceil(maxWaitNanos * (double) threads / averageNanos);
    return (int) Math.max(1, Math.min(hardCap, byWait));
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized Duration averageHashTime() {
    return Duration.ofNanos(Math.round(averageNanos));
  }

  /** Refusals so far for {@code reason}, for the metrics. */
  synchronized long refusals(String reason) {
    return refusals.getOrDefault(reason, 0L);
  }

  private Decision refuse(String reason) {
    refusals.merge(reason, 1L, Long::sum);
    return new Decision(null, new Refusal(Duration.ofNanos(Math.round(inFlight * averageNanos / threads)), reason));
  }
}
