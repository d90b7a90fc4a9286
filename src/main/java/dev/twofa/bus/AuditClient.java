package dev.twofa.bus;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Typed requests to the audit verticle. */
public final class AuditClient {
  private final BusRequests bus;

  public AuditClient(BusRequests bus) {
    this.bus = bus;
  }

  public Future<Void> record(SecurityEvent event) {
    return bus.request(Addresses.AUDIT_RECORD, event.toJson()).mapEmpty();
  }

  /**
   * {@code {events, next}}: a page of the user's events, newest first, before the cursor {@code before}.
   * The user sees support actions as by "support"; staff ({@code staffView}) see who acted and why.
   */
  public Future<JsonObject> activity(long userId, int limit, Long before, boolean staffView) {
    return bus.request(Addresses.AUDIT_ACTIVITY, new JsonObject().put("userId", userId).put("limit", limit)
      .put("before", before).put("staffView", staffView));
  }

  public Future<Void> health() {
    return bus.request(Addresses.AUDIT_HEALTH, new JsonObject()).mapEmpty();
  }
}
