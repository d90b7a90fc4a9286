package dev.twofa.auth;

import dev.twofa.bus.BusRequests;
import dev.twofa.bus.Operations;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Security events written in the same transaction as the change they record (no event, no change), then
 * relayed to audit. A row leaves the outbox only once audit has acknowledged it; audit records each event id
 * once, so a repeated delivery is harmless. Concurrent relays (several auth nodes) skip each other's rows.
 */
final class EventOutbox {
  private static final int BATCH = 100;
  private final Pool pool;
  private final BusRequests bus;

  EventOutbox(Pool pool, BusRequests bus) {
    this.pool = pool;
    this.bus = bus;
  }

  /** Adds {@code event} inside the caller's transaction. */
  Future<Void> add(SqlClient tx, SecurityEvent event) {
    SecurityEvent identified = new SecurityEvent(event.userId(), event.type(), event.success(), event.client(),
      event.actor(), event.details(), UUID.randomUUID().toString());
    return tx.preparedQuery("INSERT INTO event_outbox (event) VALUES ($1)")
      .execute(Tuple.of(JsonObject.mapFrom(identified))).mapEmpty();
  }

  /** Hands waiting events to audit, oldest first; returns how many were delivered. */
  Future<Integer> relay() {
    return pool.withTransaction(tx -> tx.preparedQuery(
          "SELECT id, event FROM event_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(BATCH))
        .compose(rows -> {
          List<Long> ids = new ArrayList<>();
          List<Future<Void>> delivered = new ArrayList<>();
          for (Row row : rows) {
            ids.add(row.getLong("id"));
            delivered.add(bus.request(Operations.AUDIT_RECORD, row.getJsonObject("event").mapTo(SecurityEvent.class)));
          }
          return Future.all(delivered)
            .compose(all -> tx.preparedQuery("DELETE FROM event_outbox WHERE id = ANY($1)")
              .execute(Tuple.tuple().addValue(ids.toArray(Long[]::new))))
            .map(ids.size());
        }));
  }
}
