package dev.twofa.auth.throttle;

import dev.twofa.auth.MigratedDatabase;
import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import dev.twofa.config.ThrottlePolicy;
import dev.twofa.support.MutableClock;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import static dev.twofa.auth.MigratedDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Throttle's sliding windows on a real PostgreSQL, with a clock each test moves by hand: where a limit refuses, the
 * wait it names, the instant an attempt leaves its window, resets, purges, and a reservation that holds under
 * concurrent requests. Every test uses keys of its own and a clock of its own.
 */
class ThrottleTest {
  private static final Instant START = Instant.parse("2026-03-01T12:00:00Z");
  private static final ThrottlePolicy THREE_IN_TEN_MINUTES = new ThrottlePolicy(3, Duration.ofMinutes(10));
  private static MigratedDatabase db;
  private final MutableClock clock = new MutableClock(START);
  private final Throttle throttle = new Throttle(db.pool(), clock);

  @BeforeAll
  static void database() {
    db = MigratedDatabase.start(10);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void checkAllRefusesAtTheLimitWithTheWaitUntilTheOldestAttemptLeaves() {
    Limit limit = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    for (int i = 0; i < 2; i++) {
      await(throttle.recordAll(List.of(limit)));
      clock.advance(Duration.ofMinutes(1));
      await(throttle.checkAll(List.of(limit)));
    }
    await(throttle.recordAll(List.of(limit)));   // the third, at START + 2 min
    clock.advance(Duration.ofSeconds(30));
    assertEquals(Duration.ofMinutes(10).minusSeconds(150).toSeconds(), refusal(throttle.checkAll(List.of(limit))),
      "the first attempt (START) leaves at START + 10 min, 7 min 30 s from now");
  }

  @Test
  void checkAllNamesTheLongestWaitOfTheLimitsItRefuses() {
    Limit shortWindow = new Limit(newKey(), new ThrottlePolicy(1, Duration.ofMinutes(1)));
    Limit longWindow = new Limit(newKey(), new ThrottlePolicy(1, Duration.ofHours(1)));
    Limit untouched = new Limit(newKey(), new ThrottlePolicy(1, Duration.ofDays(1)));
    await(throttle.recordAll(List.of(shortWindow, longWindow)));
    assertEquals(3600, refusal(throttle.checkAll(List.of(shortWindow, untouched, longWindow))));
    assertEquals(60, refusal(throttle.checkAll(List.of(shortWindow, untouched))));
    await(throttle.checkAll(List.of(untouched)));
  }

  @Test
  void anAttemptLeavesItsWindowExactlyWhenTheWindowHasPassed() {
    Limit limit = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    await(throttle.recordAll(List.of(limit)));
    clock.advance(Duration.ofMinutes(5));
    await(throttle.recordAll(List.of(limit)));
    await(throttle.recordAll(List.of(limit)));

    clock.set(START.plus(Duration.ofMinutes(10)).minusMillis(1));
    assertEquals(1, refusal(throttle.checkAll(List.of(limit))), "1 ms before, it still counts (the wait rounds up)");
    clock.set(START.plus(Duration.ofMinutes(10)));
    await(throttle.checkAll(List.of(limit)));
    await(throttle.recordAll(List.of(limit)));
    assertEquals(Duration.ofMinutes(5).toSeconds(), refusal(throttle.checkAll(List.of(limit))),
      "full again: now the attempts of START + 5 min are the oldest");
  }

  @Test
  void recordAllDropsTheAttemptsThatLeftTheWindowOfTheKeysItCounts() {
    Limit limit = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    await(throttle.recordAll(List.of(limit)));
    clock.advance(Duration.ofMinutes(10));
    await(throttle.recordAll(List.of(limit)));
    assertEquals(List.of(START.plus(Duration.ofMinutes(10))), attempts(limit.key()));
  }

  @Test
  void recordAllWithAResetKeyForgetsThatKeyInTheSameStatement() {
    Limit failures = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    Limit successes = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    Limit bystander = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    for (int i = 0; i < 3; i++) {
      await(throttle.recordAll(List.of(failures, bystander)));
    }
    assertEquals(600, refusal(throttle.checkAll(List.of(failures))));

    await(throttle.recordAll(db.pool(), List.of(successes), failures.key()));
    assertEquals(0, attempts(failures.key()).size());
    assertEquals(1, attempts(successes.key()).size());
    assertEquals(3, attempts(bystander.key()).size(), "only the reset key is forgotten");
    await(throttle.checkAll(List.of(failures)));
  }

  @Test
  void resetForgetsEveryAttemptUnderItsKey() {
    Limit limit = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    await(throttle.recordAll(List.of(limit)));
    await(throttle.recordAll(List.of(limit)));
    await(throttle.reset(db.pool(), limit.key()));
    assertEquals(0, attempts(limit.key()).size());
  }

  @Test
  void reserveAdmitsUpToTheLimitThenRefusesWithTheWait() {
    String key = newKey();
    for (int i = 0; i < 3; i++) {
      await(db.pool().withTransaction(tx -> throttle.reserve(tx, key, THREE_IN_TEN_MINUTES)));
      clock.advance(Duration.ofMinutes(1));
    }
    assertEquals(420, refusal(db.pool().withTransaction(tx -> throttle.reserve(tx, key, THREE_IN_TEN_MINUTES))));
    assertEquals(3, attempts(key).size(), "a refused reservation is not counted");
    clock.set(START.plus(Duration.ofMinutes(10)));
    await(db.pool().withTransaction(tx -> throttle.reserve(tx, key, THREE_IN_TEN_MINUTES)));
    assertEquals(List.of(START.plusSeconds(60), START.plusSeconds(120), START.plusSeconds(600)), attempts(key),
      "the reservation that found the first attempt out of its window deleted it");
  }

  @Test
  void concurrentReservationsOnOneKeyAdmitExactlyTheLimit() {
    String key = newKey();
    int requests = 24;
    int limit = 5;
    ThrottlePolicy policy = new ThrottlePolicy(limit, Duration.ofMinutes(10));
    List<Future<String>> outcomes = IntStream.range(0, requests)
      .mapToObj(i -> db.pool().withTransaction(tx -> throttle.reserve(tx, key, policy))
        .map("admitted")
        .recover(error -> Future.succeededFuture(error instanceof BusFailure failure
          && failure.code() == ErrorCode.RATE_LIMITED && failure.retryAfterSeconds() == 600 ? "rate_limited" : error.toString())))
      .toList();
    List<String> answers = await(Future.all(outcomes)).list();
    assertEquals(limit, answers.stream().filter("admitted"::equals).count(), answers.toString());
    assertEquals(requests - limit, answers.stream().filter("rate_limited"::equals).count(), answers.toString());
    assertEquals(limit, attempts(key).size());
  }

  @Test
  void concurrentReserveAllsOverSharedKeysAdmitExactlyTheTightestLimitAndNeverDeadlock() {
    Limit tight = new Limit(newKey(), new ThrottlePolicy(5, Duration.ofMinutes(10)));
    Limit wide = new Limit(newKey(), new ThrottlePolicy(100, Duration.ofHours(24)));
    Limit checkedOnly = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    // Half the requests name the keys in the other order: the locks are taken in one order all the same.
    List<Future<Throttle.Reservation>> outcomes = IntStream.range(0, 24)
      .mapToObj(i -> throttle.reserveAll(i % 2 == 0
        ? List.of(Throttle.Slot.reserved(tight), Throttle.Slot.reserved(wide), Throttle.Slot.checked(checkedOnly))
        : List.of(Throttle.Slot.checked(checkedOnly), Throttle.Slot.reserved(wide), Throttle.Slot.reserved(tight))))
      .toList();
    List<Throttle.Reservation> answers = await(Future.all(outcomes)).list();
    assertEquals(5, answers.stream().filter(Throttle.Reservation::admitted).count());
    answers.stream().filter(r -> !r.admitted()).forEach(r -> {
      assertEquals(java.util.Set.of(tight.key()), r.refusedBy());
      assertEquals(600, r.retryAfterSeconds());
    });
    assertEquals(5, attempts(tight.key()).size());
    assertEquals(5, attempts(wide.key()).size(), "a refused reservation records nothing");
    assertEquals(0, attempts(checkedOnly.key()).size(), "a checked key is never recorded");
    assertEquals(1, answers.stream().filter(r -> r.fills(tight)).count(), "one attempt filled the budget");
  }

  @Test
  void aCountedSlotNeverRefusesAndAReleaseGivesBackOneAttemptPerKey() {
    Limit ceiling = new Limit(newKey(), THREE_IN_TEN_MINUTES);
    Limit own = new Limit(newKey(), new ThrottlePolicy(10, Duration.ofMinutes(10)));
    for (int i = 0; i < 3; i++) {
      assertEquals(true, await(throttle.reserveAll(List.of(Throttle.Slot.reserved(ceiling)))).admitted());
    }
    Throttle.Reservation refused = await(throttle.reserveAll(List.of(Throttle.Slot.reserved(ceiling), Throttle.Slot.reserved(own))));
    assertEquals(java.util.Set.of(ceiling.key()), refused.refusedBy());
    Throttle.Reservation known = await(throttle.reserveAll(List.of(Throttle.Slot.counted(ceiling), Throttle.Slot.reserved(own))));
    assertEquals(true, known.admitted());
    assertEquals(4, attempts(ceiling.key()).size(), "counted past its limit");
    await(throttle.release(known));
    assertEquals(3, attempts(ceiling.key()).size());
    assertEquals(0, attempts(own.key()).size());
  }

  @Test
  void purgeRemovesOnlyAttemptsOlderThanTheLongestWindow() {
    Duration longest = Duration.ofHours(24);
    Limit limit = new Limit(newKey(), new ThrottlePolicy(1000, longest));
    await(throttle.recordAll(List.of(limit)));                  // START: older than the window at the purge
    clock.advance(Duration.ofSeconds(1));
    await(throttle.recordAll(List.of(limit)));                  // START + 1 s: exactly the window's age
    clock.advance(Duration.ofHours(1));
    await(throttle.recordAll(List.of(limit)));                  // well inside

    clock.set(START.plus(longest).plusSeconds(1));
    int purged = await(throttle.purge(longest));
    assertEquals(List.of(START.plusSeconds(1), START.plusSeconds(3601)), attempts(limit.key()));
    assertEquals(true, purged >= 1, "the older attempt is counted among the purged: " + purged);
  }

  /** The wait a RATE_LIMITED failure names; fails the test on any other outcome. */
  private static long refusal(Future<?> attempt) {
    BusFailure failure = assertThrows(BusFailure.class, () -> await(attempt));
    assertEquals(ErrorCode.RATE_LIMITED, failure.code());
    return failure.retryAfterSeconds();
  }

  private static List<Instant> attempts(String key) {
    return db.query("SELECT at FROM throttle_attempts WHERE key = $1 ORDER BY at", key).stream()
      .map(row -> row.getOffsetDateTime("at").toInstant()).toList();
  }

  private static String newKey() {
    return "test:" + UUID.randomUUID();
  }
}
