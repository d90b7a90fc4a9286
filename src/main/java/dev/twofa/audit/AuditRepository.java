package dev.twofa.audit;

import dev.twofa.bus.ActivityEvent;
import dev.twofa.bus.ActivityPage;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Set;

/** SQL over security_events, the audit verticle's own table. */
final class AuditRepository {
  private final SqlClient db;

  AuditRepository(SqlClient db) {
    this.db = db;
  }

  /** Records the event; one relayed from auth's outbox (it has an id) is recorded once however often it comes. */
  Future<Void> insert(SecurityEvent event, Instant at) {
    return insertAll(List.of(event), at);
  }

  /** Records the events in one round trip and one commit (the statements of a batch share one implicit transaction). */
  Future<Void> insertAll(List<SecurityEvent> events, Instant at) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    return db.preparedQuery("""
        INSERT INTO security_events (user_id, at, type, success, ip, user_agent, actor, details, event_id)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        ON CONFLICT (event_id) DO NOTHING
        """)
      .executeBatch(events.stream().map(event -> Tuple.from(Arrays.asList(event.userId(), at.atOffset(ZoneOffset.UTC),
        event.type(), event.success(), event.client().ip(), event.client().userAgent(), event.actor(),
        event.details() == null ? null : new JsonObject(Map.copyOf(event.details())),
        event.eventId() == null ? null : UUID.fromString(event.eventId())))).toList())
      .mapEmpty();
  }

  /**
   * A page of the user's events, newest first (ids grow with recording order), strictly before {@code before}.
   * One extra row is read to know whether another page follows; served by security_events (user_id, id DESC).
   */
  Future<ActivityPage> page(ActivityQuery query) {
    return db.preparedQuery("""
        SELECT id, at, type, success, ip, user_agent, actor, details FROM security_events
        WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3
        """)
      .execute(Tuple.of(query.userId(), query.before(), query.limit() + 1))
      .map(rows -> {
        List<ActivityEvent> events = new ArrayList<>();
        for (Row row : rows) {
          if (events.size() == query.limit()) {
            return new ActivityPage(events, events.get(events.size() - 1).id());
          }
          events.add(toEvent(row, query.staffView()));
        }
        return new ActivityPage(events, null);
      });
  }

  /** Details everyone sees: what ties a login's steps together and why one was abandoned. */
  private static final Set<String> LOGIN_DETAILS = Set.of(SecurityEvent.LOGIN_ID, SecurityEvent.SECOND_FACTOR,
    SecurityEvent.REASON, SecurityEvent.FAILURES);

  /** Users see that support acted and how their logins went; staff also see who acted and why. */
  private static ActivityEvent toEvent(Row row, boolean staffView) {
    String actor = row.getString("actor");
    JsonObject details = row.getJsonObject("details");
    Map<String, String> shown = null;
    boolean loginStep = row.getString("type").startsWith("login.");
    boolean application = row.getString("type").startsWith("oidc.");
    if (details != null) {
      shown = new java.util.LinkedHashMap<>();
      for (String key : details.fieldNames()) {
        // Only a login step's own keys: support's "reason" stays for staff.
        if (staffView || loginStep && LOGIN_DETAILS.contains(key) || application && key.equals(SecurityEvent.CLIENT)) {
          shown.put(key, String.valueOf(details.getValue(key)));
        }
      }
      shown = shown.isEmpty() ? null : shown;
    }
    return new ActivityEvent(String.valueOf(row.getLong("id")),
      DateTimeFormatter.ISO_INSTANT.format(row.getOffsetDateTime("at")), row.getString("type"), row.getBoolean("success"),
      row.getString("ip"), row.getString("user_agent"), actor == null ? null : staffView ? actor : "support", shown);
  }
}
