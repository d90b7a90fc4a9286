package dev.twofa.auth.requirement;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static dev.twofa.db.SqlTime.utc;

/** SQL over two_factor_requirements. */
final class RequirementRepository {

  /** A stamped account that may be due a reminder. */
  record Stamped(long userId, Instant appliesSince, int reminded) {
  }

  /**
   * When the rule first applied to the account: the stored stamp, or {@code now}, stored now (one statement; of
   * two at once, the second finds the first's row and keeps it).
   */
  Future<Instant> stamp(SqlClient db, long userId, Instant now) {
    return db.preparedQuery("""
        WITH found AS (SELECT applies_since FROM two_factor_requirements WHERE user_id = $1),
             stamped AS (INSERT INTO two_factor_requirements (user_id, applies_since)
                         SELECT $1, $2 WHERE NOT EXISTS (SELECT 1 FROM found)
                         ON CONFLICT (user_id) DO NOTHING RETURNING applies_since)
        SELECT applies_since FROM found UNION ALL SELECT applies_since FROM stamped
        """)
      .execute(Tuple.of(userId, utc(now)))
      .map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getOffsetDateTime("applies_since").toInstant() : now);
  }

  /** Stamped since {@code since} or earlier and still owed reminder {@code below} or a later one (at most {@code limit}). */
  Future<List<Stamped>> owedReminders(SqlClient db, Instant since, int limit) {
    return db.preparedQuery("""
        SELECT user_id, applies_since, reminded FROM two_factor_requirements
        WHERE applies_since <= $1 AND reminded < 2 ORDER BY applies_since LIMIT $2
        """)
      .execute(Tuple.of(utc(since), limit))
      .map(rows -> {
        List<Stamped> list = new ArrayList<>();
        for (Row row : rows) {
          list.add(new Stamped(row.getLong("user_id"), row.getOffsetDateTime("applies_since").toInstant(),
            row.getInteger("reminded")));
        }
        return list;
      });
  }

  /** Marks reminder {@code reminder} sent; false when it (or a later one) was already: another node sent it. */
  Future<Boolean> markReminded(SqlClient db, long userId, int reminder) {
    return db.preparedQuery("UPDATE two_factor_requirements SET reminded = $2 WHERE user_id = $1 AND reminded < $2")
      .execute(Tuple.of(userId, reminder)).map(rows -> rows.rowCount() == 1);
  }
}
