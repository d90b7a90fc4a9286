package dev.twofa.auth;

import dev.twofa.bus.ActivityPage;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.Operations;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import dev.twofa.auth.PendingLoginRepository.PendingLogin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Auth's side of the audit verticle: reports security events and waits for them to be recorded, so the
 * Activity list shows a step as soon as its answer arrives (a failing audit is logged, not passed on to the
 * user), and reads Activity pages for a session auth has already resolved.
 */
final class Auditor {
  private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);
  private final BusRequests bus;
  private final EventOutbox outbox;

  Auditor(BusRequests bus, EventOutbox outbox) {
    this.bus = bus;
    this.outbox = outbox;
  }

  Future<Void> record(long userId, String type, boolean success, ClientInfo client) {
    return record(SecurityEvent.of(userId, type, success, client));
  }

  /**
   * Records {@code event} inside the transaction {@code tx} that makes the change it describes, so neither
   * exists without the other; {@link #flush()} after the commit shows it in Activity at once.
   */
  Future<Void> recordWithin(SqlClient tx, SecurityEvent event) {
    return outbox.add(tx, event);
  }

  /** Relays what the outbox holds; a failure is logged and left to the next periodic relay. */
  Future<Void> flush() {
    return outbox.relay().<Void>mapEmpty().recover(error -> {
      LOG.warn("event=audit.outbox_delayed error={}", error.getMessage());
      return Future.succeededFuture();
    });
  }

  Future<Void> record(long userId, String type, boolean success, ClientInfo client, Map<String, String> details) {
    return record(new SecurityEvent(userId, type, success, client, null, details, null));
  }

  /** A pending login dropped without its second step: {@code reason} is {@code too_many_codes} or {@code expired}. */
  Future<Void> abandoned(PendingLogin pending, String reason, ClientInfo client) {
    return record(pending.userId(), SecurityEvent.LOGIN_ABANDONED, false, client, Map.of(
      SecurityEvent.LOGIN_ID, pending.loginId().toString(),
      SecurityEvent.REASON, reason,
      SecurityEvent.FAILURES, String.valueOf(pending.failures())));
  }

  Future<Void> record(SecurityEvent event) {
    return bus.request(Operations.AUDIT_RECORD, event)
      .recover(error -> {
        LOG.warn("event=audit.unrecorded type={} user={} error={}", event.type(), event.userId(), error.getMessage());
        return Future.succeededFuture();
      });
  }

  Future<ActivityPage> activity(ActivityQuery query) {
    return bus.request(Operations.AUDIT_ACTIVITY, query);
  }

  /** Records the outcome of {@code attempt} (success or failure) and passes that outcome on unchanged. */
  <T> Future<T> outcome(Future<T> attempt, long userId, String type, ClientInfo client) {
    return outcome(attempt, userId, type, client, null);
  }

  <T> Future<T> outcome(Future<T> attempt, long userId, String type, ClientInfo client, Map<String, String> details) {
    return attempt.transform(result -> record(userId, type, result.succeeded(), client, details)
      .transform(recorded -> result.succeeded() ? Future.succeededFuture(result.result()) : Future.failedFuture(result.cause())));
  }
}
