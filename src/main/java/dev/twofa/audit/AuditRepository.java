package dev.twofa.audit;

import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** SQL over security_events, the audit verticle's own table. */
final class AuditRepository {
  private final SqlClient db;

  AuditRepository(SqlClient db) {
    this.db = db;
  }

  Future<Void> insert(SecurityEvent event, Instant at) {
    return db.preparedQuery("""
        INSERT INTO security_events (user_id, at, type, success, ip, user_agent, actor, details)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """)
      .execute(Tuple.from(java.util.Arrays.asList(event.userId(), at.atOffset(ZoneOffset.UTC), event.type(),
        event.success(), event.client().ip(), event.client().userAgent(), event.actor(), event.details())))
      .mapEmpty();
  }

  /**
   * A page of the user's events, newest first (ids grow with recording order), strictly before {@code before}.
   * One extra row is read to know whether another page follows; served by security_events (user_id, id DESC).
   */
  Future<JsonObject> page(long userId, int limit, Long before, boolean staffView) {
    return db.preparedQuery("""
        SELECT id, at, type, success, ip, user_agent, actor, details FROM security_events
        WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3
        """)
      .execute(Tuple.of(userId, before, limit + 1))
      .map(rows -> {
        JsonArray events = new JsonArray();
        Long last = null;
        for (Row row : rows) {
          if (events.size() == limit) {
            return new JsonObject().put("events", events).put("next", String.valueOf(last));
          }
          last = row.getLong("id");
          events.add(toJson(row, staffView));
        }
        return new JsonObject().put("events", events).putNull("next");
      });
  }

  /** Users see that support acted; staff also see who did and why. */
  private static JsonObject toJson(Row row, boolean staffView) {
    String actor = row.getString("actor");
    JsonObject event = new JsonObject()
      .put("id", String.valueOf(row.getLong("id")))
      .put("at", DateTimeFormatter.ISO_INSTANT.format(row.getOffsetDateTime("at")))
      .put("type", row.getString("type"))
      .put("success", row.getBoolean("success"))
      .put("ip", row.getString("ip"))
      .put("userAgent", row.getString("user_agent"))
      .put("actor", actor == null ? null : staffView ? actor : "support");
    if (staffView && row.getJsonObject("details") != null) {
      event.put("details", row.getJsonObject("details"));
    }
    return event;
  }
}
