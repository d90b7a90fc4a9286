package dev.twofa.auth.events;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuditRequests.EventBatch;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.Operations;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.UUID;

/**
 * Security events written in the same transaction as the change they record (no event, no change), then
 * relayed to audit in batches: one bus request and one commit on audit's side per batch. A row leaves the outbox
 * only once audit has acknowledged it with a receipt under the key auth and audit share; audit records each event id once, so a repeated delivery is harmless.
 * Concurrent relays (several auth nodes) skip each other's rows.
 */
@Door
public final class EventOutbox {
  private static final Logger LOG = LoggerFactory.getLogger(EventOutbox.class);
  static final int BATCH = 100;
  /** A relay waits this long after the first nudge, so the events of many requests go in one batch. */
  static final long LINGER_MS = 50;
  private final Vertx vertx;
  private final Pool pool;
  private final BusRequests bus;
  private final byte[] receiptKey;
  /** A relay is waiting out its linger or running; running, a nudge asks for one more round after it. */
  private boolean due;
  private boolean relaying;
  private boolean more;
  private Future<Void> running = Future.succeededFuture();

  public EventOutbox(Vertx vertx, Pool pool, BusRequests bus, byte[] receiptKey) {
    this.vertx = vertx;
    this.pool = pool;
    this.bus = bus;
    this.receiptKey = receiptKey.clone();
  }

  /**
   * The event as an outbox row holds it (the record's JSON form, which the relay maps back), with the id that
   * makes its delivery idempotent. Built by hand: it is on the path of every login step.
   */
  public static JsonObject row(SecurityEvent event) {
    return new JsonObject()
      .put("userId", event.userId())
      .put("type", event.type())
      .put("success", event.success())
      .put("client", new JsonObject().put("ip", event.client().ip()).put("userAgent", event.client().userAgent()))
      .put("actor", event.actor())
      .put("details", event.details() == null ? null : new JsonObject(new HashMap<>(event.details())))
      .put("eventId", UUID.randomUUID().toString());
  }

  /** Adds {@code event} inside the caller's transaction (or on its own, given the pool). */
  Future<Void> add(SqlClient tx, SecurityEvent event) {
    return tx.preparedQuery("SELECT event_outbox_add($1)").execute(Tuple.of(row(event))).mapEmpty();
  }

  /**
   * Starts relaying shortly unless a relay is due or runs on this verticle already (which then goes round once
   * more): however many commits nudge it, events go out in batches, off the path of the requests that wrote them.
   */
  void nudge() {
    if (relaying) {
      more = true;
      return;
    }
    if (due) {
      return;
    }
    due = true;
    vertx.setTimer(LINGER_MS, timer -> {
      relaying = true;
      more = false;
      running = relayAll();
      running.onComplete(done -> {
        relaying = false;
        due = false;
        if (done.failed()) {
          LOG.warn("event=audit.outbox_delayed error={}", done.cause().toString());
        } else if (more) {
          nudge();
        }
      });
    });
  }

  /**
   * Relays everything written so far and waits: after this node's running relay (whose rows it would skip), a
   * round of its own.
   */
  Future<Void> flush() {
    return running.transform(previous -> relayAll());
  }

  /** Relays batch after batch until the outbox is empty (of rows no other relay holds). */
  Future<Void> relayAll() {
    return relay().compose(delivered -> delivered == BATCH ? relayAll() : Future.succeededFuture());
  }

  /** Hands one batch of waiting events to audit, oldest first; returns how many were delivered. */
  Future<Integer> relay() {
    return pool.withTransaction(tx -> tx.preparedQuery(
          "SELECT id, event FROM event_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED")
        .execute(Tuple.of(BATCH))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.succeededFuture(0);
          }
          List<Long> ids = new ArrayList<>();
          List<SecurityEvent> events = new ArrayList<>();
          for (Row row : rows) {
            ids.add(row.getLong("id"));
            events.add(row.getJsonObject("event").mapTo(SecurityEvent.class));
          }
          EventBatch batch = new EventBatch(events);
          return bus.request(Operations.AUDIT_RECORD_BATCH, batch)
            // Only a receipt under the key auth and audit share says the events are recorded; else they stay.
            .compose(receipt -> receipt != null && receipt.confirms(receiptKey, batch) ? Future.succeededFuture()
              : Future.failedFuture(new IllegalStateException("audit's receipt for " + events.size() + " events does not verify")))
            .compose(all -> tx.preparedQuery("DELETE FROM event_outbox WHERE id = ANY($1)")
              .execute(Tuple.tuple().addValue(ids.toArray(Long[]::new))))
            .map(ids.size());
        }));
  }
}
