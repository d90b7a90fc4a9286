package dev.twofa.bus;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** Typed requests to the audit verticle. */
public final class AuditClient {
  private final Vertx vertx;

  public AuditClient(Vertx vertx) {
    this.vertx = vertx;
  }

  public Future<Void> record(SecurityEvent event) {
    return BusRequests.request(vertx, Addresses.AUDIT_RECORD, event.toJson()).mapEmpty();
  }

  /** {@code {events, next}}: a page of the user's events, newest first, before the cursor {@code before}. */
  public Future<JsonObject> activity(long userId, int limit, Long before) {
    return BusRequests.request(vertx, Addresses.AUDIT_ACTIVITY,
      new JsonObject().put("userId", userId).put("limit", limit).put("before", before));
  }
}
