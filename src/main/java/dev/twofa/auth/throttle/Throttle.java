package dev.twofa.auth.throttle;

import dev.twofa.auth.Door;
import dev.twofa.bus.BusFailure;
import dev.twofa.config.ThrottlePolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.twofa.db.SqlTime.utc;

/**
 * Sliding-window attempt limits kept in PostgreSQL (one row per attempt), so they hold across sessions,
 * addresses and nodes. {@link #reserve} counts and admits an attempt in one serialized transaction, which
 * keeps the budget exact under concurrent requests, and {@link #reserveAll} does the same for several keys at
 * once (a password step: recorded before the check, given back by {@link #release} when it succeeds);
 * {@link #checkAll} and {@link #recordAll} read and count several keys in one round trip each. Per-address keys
 * take {@link dev.twofa.bus.ClientInfo#network()}, never the full address.
 */
@Door
public final class Throttle {
  private final Pool pool;
  private final Clock clock;

  /** Password failures of one account from any address (the high, NIST-style ceiling). */
  public static String passwordAccountKey(String canonicalEmail) {
    return "password:account:" + canonicalEmail;
  }

  /** Password failures of one account from one client address: what a stranger's guessing can lock. */
  public static String passwordAccountAddressKey(String canonicalEmail, String network) {
    return "password:account-address:" + canonicalEmail + " " + network;
  }

  /**
   * Password failures of one account from one browser (its signed device cookie, by its hash): the limit of a
   * browser the account knows, which the account-wide ceiling does not stop.
   */
  public static String passwordAccountBrowserKey(String canonicalEmail, String deviceHash) {
    return "password:account-browser:" + canonicalEmail + " " + deviceHash;
  }

  /** Password re-checks of a signed-in session (step-up, password change): never the login counters. */
  public static String passwordSessionKey(java.util.UUID sessionHandle) {
    return "password:session:" + sessionHandle;
  }

  /** Refused passkey sign-ins (no password) from one client address, under the second-factor budget's limits. */
  public static String passkeySignInAddressKey(String network) {
    return "passkey-sign-in:address:" + network;
  }

  /** Successful password steps from one client address. */
  public static String loginsAddressKey(String network) {
    return "logins:address:" + network;
  }

  public static String signupsAddressKey(String network) {
    return "signups:address:" + network;
  }

  /** Verification links sent to one user on request. */
  public static String emailVerificationKey(long userId) {
    return "email-verification:" + userId;
  }

  /** "Forgot password?" requests from one client address (answered 429: that reveals nothing about accounts). */
  public static String passwordResetAddressKey(String network) {
    return "password-reset:address:" + network;
  }

  /** Reset mails to one address (beyond the limit, requests are answered alike and mail nothing). */
  public static String passwordResetEmailKey(String canonicalEmail) {
    return "password-reset:email:" + canonicalEmail;
  }

  /** 2FA resets by one support staff member. */
  public static String supportResetsKey(long staffId) {
    return "support:resets:" + staffId;
  }

  /** Requests to turn off 2FA declined by one support staff member. */
  public static String supportDeclinesKey(long staffId) {
    return "support:declines:" + staffId;
  }

  public static String passwordAddressKey(String network) {
    return "password:address:" + network;
  }

  /** Second-factor guesses of one account, TOTP and recovery codes together. */
  public static String secondFactorKey(long userId) {
    return "second-factor:" + userId;
  }

  public Throttle(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Admits one attempt under {@code key} inside the caller's transaction {@code tx}, or fails RATE_LIMITED with
   * the wait until a slot frees up. The key stays locked until that transaction ends.
   */
  public Future<Void> reserve(SqlClient tx, String key, ThrottlePolicy policy) {
    Instant now = clock.instant();
    // throttle_reserve (R__throttle.sql) counts under the key's lock, so concurrent requests cannot overdraw it.
    return tx.preparedQuery("SELECT throttle_reserve($1, $2, $3, $4) AS oldest")
      .execute(Tuple.of(key, policy.maxAttempts(), utc(now), utc(now.minus(policy.window()))))
      .compose(rows -> {
        OffsetDateTime oldest = rows.iterator().next().getOffsetDateTime("oldest");
        return oldest == null ? Future.succeededFuture()
          : Future.failedFuture(BusFailure.rateLimited(retryAfter(oldest.toInstant(), policy, now)));
      });
  }

  /** A key and the limit that applies to it. */
  public record Limit(String key, ThrottlePolicy policy) {
  }

  /**
   * Fails RATE_LIMITED (with the longest wait) when any of {@code limits} already has its full budget in its
   * window; one round trip for all of them.
   */
  public Future<Void> checkAll(List<Limit> limits) {
    Instant now = clock.instant();
    String[] keys = limits.stream().map(Limit::key).toArray(String[]::new);
    OffsetDateTime[] since = limits.stream().map(l -> utc(now.minus(l.policy().window()))).toArray(OffsetDateTime[]::new);
    return pool.preparedQuery("""
        SELECT k.key, count(t.at)::int AS attempts, min(t.at) AS oldest
        FROM unnest($1::text[], $2::timestamptz[]) AS k(key, since)
        LEFT JOIN throttle_attempts t ON t.key = k.key AND t.at > k.since
        GROUP BY k.key
        """)
      .execute(Tuple.tuple().addValue(keys).addValue(since))   // not Tuple.of: it would spread the array
      .compose(rows -> {
        long wait = 0;
        for (Row row : rows) {
          ThrottlePolicy policy = limits.stream().filter(l -> l.key().equals(row.getString("key"))).findFirst()
            .orElseThrow().policy();
          if (row.getInteger("attempts") >= policy.maxAttempts()) {
            wait = Math.max(wait, retryAfter(row.getOffsetDateTime("oldest").toInstant(), policy, now));
          }
        }
        return wait > 0 ? Future.failedFuture(BusFailure.rateLimited(wait)) : Future.succeededFuture();
      });
  }

  /** Counts one attempt under each of {@code limits}, dropping their attempts that left the window; one round trip. */
  public Future<Void> recordAll(List<Limit> limits) {
    return recordAll(pool, limits, null);
  }

  /**
   * The same inside the caller's transaction, and forgets every attempt under {@code resetKey} (when not null) in
   * the same statement: a success counts against one budget and clears another in one round trip.
   */
  public Future<Void> recordAll(SqlClient db, List<Limit> limits, String resetKey) {
    Instant now = clock.instant();
    String[] keys = limits.stream().map(Limit::key).toArray(String[]::new);
    OffsetDateTime[] before = limits.stream().map(l -> utc(now.minus(l.policy().window()))).toArray(OffsetDateTime[]::new);
    return db.preparedQuery("SELECT throttle_record_all($1, $2, $3, $4)")
      .execute(Tuple.tuple().addValue(keys).addValue(before).addValue(utc(now)).addValue(resetKey)).mapEmpty();
  }

  /**
   * One budget of {@link #reserveAll}: {@code refuses} false counts the attempt without ever refusing it (the
   * account's ceiling for a browser the account knows); {@code records} false only checks (successful logins,
   * counted when they succeed).
   */
  public record Slot(Limit limit, boolean refuses, boolean records) {
    public static Slot reserved(Limit limit) {
      return new Slot(limit, true, true);
    }

    public static Slot counted(Limit limit) {
      return new Slot(limit, false, true);
    }

    public static Slot checked(Limit limit) {
      return new Slot(limit, true, false);
    }
  }

  /**
   * What {@link #reserveAll} found: each key's attempts before this one, and, when it refused, the wait. When
   * admitted, the attempt is recorded at {@code at} under {@code recorded}: hand it back with {@link #release}
   * if it was no failure after all.
   */
  public record Reservation(Instant at, List<String> recorded, Map<String, Integer> before, long retryAfterSeconds,
                            Set<String> refusedBy) {
    public boolean admitted() {
      return refusedBy.isEmpty();
    }

    /** The refusal to answer with. */
    public <T> Future<T> refusal() {
      return Future.failedFuture(BusFailure.rateLimited(retryAfterSeconds));
    }

    /** True when this attempt is the one that filled {@code limit}'s budget. */
    public boolean fills(Limit limit) {
      return admitted() && before.getOrDefault(limit.key(), -1) + 1 == limit.policy().maxAttempts();
    }
  }

  /**
   * Reserve-then-check: counts every slot's key under its lock and, when none that refuses is full, records the
   * attempt under every slot that records, all in one statement ({@code throttle_reserve_all}), so that however
   * many guesses arrive at once, no more than a budget's worth is ever let through to be checked.
   */
  public Future<Reservation> reserveAll(List<Slot> slots) {
    Instant now = clock.instant();
    Tuple args = Tuple.tuple()
      .addValue(slots.stream().map(s -> s.limit().key()).toArray(String[]::new))
      .addValue(slots.stream().map(s -> s.refuses() ? s.limit().policy().maxAttempts() : null).toArray(Integer[]::new))
      .addValue(slots.stream().map(s -> utc(now.minus(s.limit().policy().window()))).toArray(OffsetDateTime[]::new))
      .addValue(slots.stream().map(Slot::records).toArray(Boolean[]::new))
      .addValue(utc(now));
    return pool.preparedQuery("SELECT * FROM throttle_reserve_all($1, $2, $3, $4, $5)").execute(args).map(rows -> {
      Map<String, Integer> before = new HashMap<>();
      Set<String> refused = new HashSet<>();
      long wait = 0;
      for (Row row : rows) {
        String key = row.getString("budget_key");
        before.put(key, row.getInteger("budget_attempts"));
        if (row.getBoolean("budget_refused")) {
          refused.add(key);
          ThrottlePolicy policy = slots.stream().filter(s -> s.limit().key().equals(key)).findFirst().orElseThrow()
            .limit().policy();
          wait = Math.max(wait, retryAfter(row.getOffsetDateTime("budget_oldest").toInstant(), policy, now));
        }
      }
      List<String> recorded = refused.isEmpty()
        ? slots.stream().filter(Slot::records).map(s -> s.limit().key()).toList() : List.of();
      return new Reservation(now, recorded, before, wait, refused);
    });
  }

  /** Gives back a reservation's attempts (the password was right, or never checked), in {@code db}. */
  public Future<Void> release(SqlClient db, Reservation reservation) {
    return reservation.recorded().isEmpty() ? Future.succeededFuture()
      : db.preparedQuery("SELECT throttle_release($1, $2)")
        .execute(Tuple.of(reservation.recorded().toArray(String[]::new), utc(reservation.at()))).mapEmpty();
  }

  public Future<Void> release(Reservation reservation) {
    return release(pool, reservation);
  }

  /** Deletes attempts older than {@code oldest} (no window is longer), so the table stays small. */
  public Future<Integer> purge(Duration oldest) {
    return pool.preparedQuery("DELETE FROM throttle_attempts WHERE at < $1")
      .execute(Tuple.of(utc(clock.instant().minus(oldest)))).map(rows -> rows.rowCount());
  }

  /** Forgets every attempt under {@code key} (a success resets the budget), inside the caller's transaction. */
  public Future<Void> reset(SqlClient db, String key) {
    return db.preparedQuery("SELECT throttle_forget($1)").execute(Tuple.of(key)).mapEmpty();
  }

  public static long retryAfter(Instant oldest, ThrottlePolicy policy, Instant now) {
    Duration wait = Duration.between(now, oldest.plus(policy.window()));
    return Math.max(1, (wait.toMillis() + 999) / 1000);
  }
}
