package dev.twofa.auth.support;

import dev.twofa.bus.AuthReplies.SupportRequestView;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static dev.twofa.db.SqlTime.utc;

/**
 * SQL over support_requests. One open request per account is the table's partial unique index; every close
 * (cancelled by the owner's link, done, declined) is one conditional UPDATE, so exactly one of them wins.
 */
final class SupportRequestRepository {
  private static final String UNIQUE_VIOLATION = "23505";
  /** The lists show this many requests (open ones oldest first: a queue; closed ones newest first). */
  static final int LIST_LIMIT = 100;
  private static final String COLUMNS = """
    r.id, r.user_id, u.email, r.reason, r.contact, r.message, r.status, r.created_at, r.closed_at, r.closed_by,
    r.decline_reason
    """;

  /** A request as stored, with its account's email. */
  record SupportRequestRow(long id, long userId, String email, String reason, String contact, String message,
                           String status, Instant createdAt, Instant closedAt, String closedBy, String declineReason) {

    Instant coolingOffEnds(Duration coolingOff) {
      return createdAt.plus(coolingOff);
    }

    SupportRequestView view(Instant now, Duration coolingOff) {
      Instant ends = coolingOffEnds(coolingOff);
      return new SupportRequestView(String.valueOf(id), email, reason, contact, message, status, createdAt.toString(),
        Math.max(0, Duration.between(createdAt, now).toSeconds()), ends.toString(),
        "open".equals(status) ? Math.max(0, Duration.between(now, ends).toSeconds()) : 0,
        closedAt == null ? null : closedAt.toString(), closedBy, declineReason);
    }
  }

  /** Opens a request; fails SUPPORT_REQUEST_OPEN when the account already has one (the index decides, races too). */
  Future<Long> insert(SqlClient tx, long userId, String reason, String contact, String message, byte[] cancelTokenHash,
                      Instant now) {
    return tx.preparedQuery("""
        INSERT INTO support_requests (user_id, reason, contact, message, created_at, cancel_token_hash)
        VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
        """)
      .execute(Tuple.of(userId, reason, contact, message, utc(now), Buffer.buffer(cancelTokenHash)))
      .map(rows -> rows.iterator().next().getLong("id"))
      .recover(error -> error instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
        ? BusFailure.fail(ErrorCode.SUPPORT_REQUEST_OPEN) : Future.failedFuture(error));
  }

  /** Requests the account made since {@code since}, whatever became of them. */
  Future<Integer> countSince(SqlClient db, long userId, Instant since) {
    return db.preparedQuery("SELECT count(*)::int AS n FROM support_requests WHERE user_id = $1 AND created_at > $2")
      .execute(Tuple.of(userId, utc(since))).map(rows -> rows.iterator().next().getInteger("n"));
  }

  /** The oldest request made since {@code since} (for the wait a capped account is told). */
  Future<Optional<Instant>> oldestSince(SqlClient db, long userId, Instant since) {
    return db.preparedQuery("SELECT min(created_at) AS oldest FROM support_requests WHERE user_id = $1 AND created_at > $2")
      .execute(Tuple.of(userId, utc(since)))
      .map(rows -> Optional.ofNullable(rows.iterator().next().getOffsetDateTime("oldest")).map(OffsetDateTime::toInstant));
  }

  /**
   * Uses a cancel link in one statement: the open request it belongs to becomes cancelled and forgets the token.
   * Returns the request when this call cancelled it; a used, unknown or closed request's link returns nothing.
   */
  Future<Optional<SupportRequestRow>> cancel(SqlClient db, byte[] tokenHash, Instant now) {
    return db.preparedQuery("""
        WITH cancelled AS (
          UPDATE support_requests SET status = 'cancelled', closed_at = $2, cancel_token_hash = NULL
          WHERE cancel_token_hash = $1 AND status = 'open' RETURNING *)
        SELECT %s FROM cancelled r CROSS JOIN LATERAL account_user(r.user_id) u
        """.formatted(COLUMNS))
      .execute(Tuple.of(Buffer.buffer(tokenHash), utc(now))).map(SupportRequestRepository::first);
  }

  /** The account's open request, locked until the caller's transaction ends (a concurrent cancel waits for it). */
  Future<Optional<SupportRequestRow>> openForUpdate(SqlClient tx, long userId) {
    return tx.preparedQuery("SELECT " + COLUMNS + " FROM support_requests r CROSS JOIN LATERAL account_user(r.user_id) u "
        + "WHERE r.user_id = $1 AND r.status = 'open' FOR UPDATE OF r")
      .execute(Tuple.of(userId)).map(SupportRequestRepository::first);
  }

  Future<Optional<SupportRequestRow>> open(SqlClient db, long userId) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM support_requests r CROSS JOIN LATERAL account_user(r.user_id) u "
        + "WHERE r.user_id = $1 AND r.status = 'open'")
      .execute(Tuple.of(userId)).map(SupportRequestRepository::first);
  }

  Future<Optional<SupportRequestRow>> find(SqlClient db, long id) {
    return db.preparedQuery("SELECT " + COLUMNS + " FROM support_requests r CROSS JOIN LATERAL account_user(r.user_id) u WHERE r.id = $1")
      .execute(Tuple.of(id)).map(SupportRequestRepository::first);
  }

  /** Closes the open request {@code id} as done or declined; false when it was no longer open. */
  Future<Boolean> close(SqlClient tx, long id, String status, String staffEmail, String declineReason, Instant now) {
    return tx.preparedQuery("""
        UPDATE support_requests SET status = $2, closed_at = $3, closed_by = $4, decline_reason = $5, cancel_token_hash = NULL
        WHERE id = $1 AND status = 'open'
        """)
      .execute(Tuple.from(Arrays.asList(id, status, utc(now), staffEmail, declineReason)))
      .map(rows -> rows.rowCount() == 1);
  }

  /** The requests with {@code status}: open ones oldest first, closed ones most recently closed first. */
  Future<List<SupportRequestRow>> list(SqlClient db, String status) {
    String order = "open".equals(status) ? "r.created_at, r.id" : "r.closed_at DESC, r.id DESC";
    return db.preparedQuery("SELECT " + COLUMNS + " FROM support_requests r CROSS JOIN LATERAL account_user(r.user_id) u "
        + "WHERE r.status = $1 ORDER BY " + order + " LIMIT $2")
      .execute(Tuple.of(status, LIST_LIMIT)).map(SupportRequestRepository::all);
  }

  private static Optional<SupportRequestRow> first(RowSet<Row> rows) {
    var it = rows.iterator();
    return it.hasNext() ? Optional.of(row(it.next())) : Optional.empty();
  }

  private static List<SupportRequestRow> all(RowSet<Row> rows) {
    List<SupportRequestRow> list = new ArrayList<>();
    rows.forEach(row -> list.add(row(row)));
    return list;
  }

  private static SupportRequestRow row(Row row) {
    OffsetDateTime closed = row.getOffsetDateTime("closed_at");
    return new SupportRequestRow(row.getLong("id"), row.getLong("user_id"), row.getString("email"), row.getString("reason"),
      row.getString("contact"), row.getString("message"), row.getString("status"),
      row.getOffsetDateTime("created_at").toInstant(), closed == null ? null : closed.toInstant(),
      row.getString("closed_by"), row.getString("decline_reason"));
  }
}
