package dev.twofa.audit;

import dev.twofa.auth.MigratedDatabase;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static dev.twofa.auth.MigratedDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The nightly purge against PostgreSQL: batches, the retention, the 90-day floor, one node, and nothing else deletes. */
class ActivityRetentionTest {
  private static MigratedDatabase db;
  /** Each test's own user: the 10-day-old events of earlier tests cannot be cleared (that is the point). */
  private static long user;

  @BeforeAll
  static void database() {
    db = MigratedDatabase.start(3);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @BeforeEach
  void seed() {
    user++;
    await(db.pool().withTransaction(tx -> tx.query("SELECT security_events_purge('infinity', 1000000)").execute()));
    // Ages by the database's clock, which the 90-day floor reads: 2,500 old, 3 of 300 days, 2 of 10 days.
    db.query("""
        INSERT INTO security_events (user_id, at, type, success, ip, user_agent)
        SELECT $1::bigint, now() - interval '500 days' + g * interval '1 second', 'login.password', true, '192.0.2.1', 'ua'
        FROM generate_series(1, 2500) g
        UNION ALL SELECT $1::bigint, now() - interval '300 days', 'login.password', true, '192.0.2.1', 'ua' FROM generate_series(1, 3)
        UNION ALL SELECT $1::bigint, now() - interval '10 days', 'login.password', false, '192.0.2.1', 'ua' FROM generate_series(1, 2)
        """, user);
  }

  @Test
  void oldEventsGoInBatchesAndTheRetentionsEventsStay() {
    ActivityRetention.Purged purged = await(new ActivityRetention(db.pool(), 400, 1000).purge(now()));
    assertTrue(purged.ran());
    assertEquals(2500, purged.deleted());
    assertEquals(5, events());
    assertEquals(0, await(new ActivityRetention(db.pool(), 400, 1000).purge(now())).deleted(), "nothing left to do");
  }

  @Test
  void noRetentionReachesTheLastNinetyDays() {
    assertEquals(2503, await(new ActivityRetention(db.pool(), 1, 1000).purge(now())).deleted());
    assertEquals(2, events(), "the 10-day-old events stay");
  }

  @Test
  void aNodeThatCannotTakeTheLockLeavesTheRunToTheOneThatHasIt() {
    SqlConnection other = await(db.pool().getConnection());
    try {
      await(other.preparedQuery("SELECT pg_advisory_lock(hashtextextended($1, 0))").execute(Tuple.of(ActivityRetention.LOCK)));
      ActivityRetention.Purged purged = await(new ActivityRetention(db.pool(), 400, 1000).purge(now()));
      assertFalse(purged.ran());
      assertEquals(2505, events());
      await(other.preparedQuery("SELECT pg_advisory_unlock(hashtextextended($1, 0))").execute(Tuple.of(ActivityRetention.LOCK)));
      assertTrue(await(new ActivityRetention(db.pool(), 400, 1000).purge(now())).ran());
    } finally {
      await(other.close());
    }
  }

  @Test
  void nothingButThePurgeDeletesAndNothingUpdatesOrTruncates() {
    assertThrows(RuntimeException.class, () -> db.query("DELETE FROM security_events WHERE at < now() - interval '400 days'"));
    assertThrows(RuntimeException.class, () -> db.query("UPDATE security_events SET success = true"));
    assertThrows(RuntimeException.class, () -> db.query("TRUNCATE security_events"));
    // Even a statement that sets the purge's flag itself cannot reach the last 90 days.
    assertThrows(RuntimeException.class, () -> await(db.pool().withTransaction(tx ->
      tx.query("SELECT set_config('twofa.activity_purge', 'on', true)").execute()
        .compose(set -> tx.query("DELETE FROM security_events WHERE at > now() - interval '20 days'").execute()))));
    assertEquals(2505, events());
  }

  private static Instant now() {
    return db.query("SELECT now() AS now").get(0).getOffsetDateTime("now").toInstant();
  }

  private static int events() {
    return db.count("SELECT count(*)::int FROM security_events WHERE user_id = $1", user);
  }
}
