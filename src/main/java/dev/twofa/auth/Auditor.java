package dev.twofa.auth;

import dev.twofa.bus.ActivityPage;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.Operations;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Auth's side of the audit verticle: reports security events and waits for them to be recorded, so the
 * Activity list shows a step as soon as its answer arrives (a failing audit is logged, not passed on to the
 * user), and reads Activity pages for a session auth has already resolved.
 */
final class Auditor {
  private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);
  private final BusRequests bus;

  Auditor(BusRequests bus) {
    this.bus = bus;
  }

  Future<Void> record(long userId, String type, boolean success, ClientInfo client) {
    return record(new SecurityEvent(userId, type, success, client, null, null));
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
    return attempt.transform(result -> record(userId, type, result.succeeded(), client)
      .transform(recorded -> result.succeeded() ? Future.succeededFuture(result.result()) : Future.failedFuture(result.cause())));
  }
}
