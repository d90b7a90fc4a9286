package dev.twofa.auth.events;

import dev.twofa.auth.MigratedDatabase;
import dev.twofa.bus.AuditRequests.BatchReceipt;
import dev.twofa.bus.AuditRequests.EventBatch;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.Operations;
import dev.twofa.bus.SecurityEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static dev.twofa.auth.MigratedDatabase.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Auth drops relayed events from its outbox only on a receipt from audit under the key they share: whatever else
 * answers the relay (a consumer on a node without the key ring, a bug that answers too early), the events stay and
 * are relayed again.
 */
class AuditReceiptTest {
  private static MigratedDatabase db;
  private static final byte[] KEY = random();

  @BeforeAll
  static void database() {
    db = MigratedDatabase.start(2);
  }

  @AfterAll
  static void close() {
    db.close();
  }

  @Test
  void eventsLeaveTheOutboxOnlyOnAReceiptUnderTheSharedKey() {
    BusRequests bus = new BusRequests(db.vertx(), new SimpleMeterRegistry());
    EventOutbox outbox = new EventOutbox(db.vertx(), db.pool(), bus, KEY);
    int before = db.count("SELECT count(*) FROM event_outbox");

    AtomicReference<Function<EventBatch, BatchReceipt>> answer = new AtomicReference<>(batch -> null);
    MessageConsumer<EventBatch> audit = BusRequests.serve(db.vertx(), Operations.AUDIT_RECORD_BATCH,
      batch -> Future.succeededFuture(answer.get().apply(batch)));
    await(audit.completion());
    try {
      await(outbox.add(db.pool(), SecurityEvent.of(1, SecurityEvent.LOGOUT, true, new ClientInfo("192.0.2.1", "test"))));
      for (Function<EventBatch, BatchReceipt> wrong : List.<Function<EventBatch, BatchReceipt>>of(
          batch -> null, batch -> new BatchReceipt(null), batch -> new BatchReceipt("not base64!"),
          batch -> BatchReceipt.of(random(), batch),
          batch -> BatchReceipt.of(KEY, new EventBatch(List.of())))) {
        answer.set(wrong);
        assertThrows(RuntimeException.class, () -> await(outbox.relay()), "a relay answered without a valid receipt fails");
        assertEquals(before + 1, db.count("SELECT count(*) FROM event_outbox"), "the event stays");
      }
      answer.set(batch -> BatchReceipt.of(KEY, batch));
      assertEquals(1, await(outbox.relay()));
      assertEquals(before, db.count("SELECT count(*) FROM event_outbox"));
    } finally {
      await(audit.unregister());
    }
  }

  @Test
  void aReceiptConfirmsOnlyItsOwnBatch() {
    SecurityEvent a = SecurityEvent.of(1, SecurityEvent.LOGOUT, true, new ClientInfo("192.0.2.1", "test"));
    EventBatch one = new EventBatch(List.of(withId(a, "7d4a3a4e-7a3e-4b0e-8a62-0c3f3c1e0b01")));
    EventBatch other = new EventBatch(List.of(withId(a, "7d4a3a4e-7a3e-4b0e-8a62-0c3f3c1e0b02")));
    assertTrue(BatchReceipt.of(KEY, one).confirms(KEY, one));
    assertFalse(BatchReceipt.of(KEY, one).confirms(KEY, other));
    assertFalse(BatchReceipt.of(random(), one).confirms(KEY, one));
  }

  private static SecurityEvent withId(SecurityEvent event, String id) {
    return new SecurityEvent(event.userId(), event.type(), event.success(), event.client(), event.actor(), event.details(), id);
  }

  private static byte[] random() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return key;
  }
}
