package dev.twofa.auth.events;

import dev.twofa.auth.Door;
import io.vertx.core.Vertx;
import dev.twofa.bus.ActivityPage;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.Operations;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import dev.twofa.auth.session.PendingLogin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;

/**
 * Auth's side of the audit verticle. Every security event goes through auth's event outbox: inside the
 * transaction of the change it records ({@link #recordWithin}), or in a commit of its own right after
 * ({@link #record}, which fails when the event could not be written, so no request is acknowledged without its
 * event). The relay to audit runs off the request path; an Activity page is read after a relay, so it shows every
 * step whose answer has arrived.
 */
@Door
public final class Auditor {
  private static final Logger LOG = LoggerFactory.getLogger(Auditor.class);
  private final BusRequests bus;
  private final EventOutbox outbox;
  private final Pool pool;

  /** Security events go to the outbox in the writer's commit, and on to audit after it. */
  public static Auditor create(BusRequests bus, Pool pool, Vertx vertx, byte[] receiptKey) {
    return new Auditor(bus, new EventOutbox(vertx, pool, bus, receiptKey), pool);
  }

  Auditor(BusRequests bus, EventOutbox outbox, Pool pool) {
    this.bus = bus;
    this.outbox = outbox;
    this.pool = pool;
  }

  public Future<Void> record(long userId, String type, boolean success, ClientInfo client) {
    return record(SecurityEvent.of(userId, type, success, client));
  }

  /**
   * Records {@code event} inside the transaction {@code tx} that makes the change it describes, so neither
   * exists without the other; {@link #flush()} after the commit shows it in Activity at once.
   */
  public Future<Void> recordWithin(SqlClient tx, SecurityEvent event) {
    return outbox.add(tx, event);
  }

  /** Starts relaying the outbox after a commit, without waiting for it. */
  public void nudge() {
    outbox.nudge();
  }

  /** Relays what the outbox holds and waits; a failure is logged and left to the next periodic relay. */
  public Future<Void> flush() {
    return outbox.flush().recover(error -> {
      LOG.warn("event=audit.outbox_delayed error={}", error.getMessage());
      return Future.succeededFuture();
    });
  }

  public Future<Void> record(long userId, String type, boolean success, ClientInfo client, Map<String, String> details) {
    return record(new SecurityEvent(userId, type, success, client, null, details, null));
  }

  /** A pending login dropped without its second step: {@code reason} is {@code too_many_codes} or {@code expired}. */
  public Future<Void> abandoned(PendingLogin pending, String reason, ClientInfo client) {
    return record(pending.userId(), SecurityEvent.LOGIN_ABANDONED, false, client, Map.of(
      SecurityEvent.LOGIN_ID, pending.loginId().toString(),
      SecurityEvent.REASON, reason,
      SecurityEvent.FAILURES, String.valueOf(pending.failures())));
  }

  /** Writes {@code event} to the outbox in a commit of its own and starts a relay; fails if it was not written. */
  public Future<Void> record(SecurityEvent event) {
    return outbox.add(pool, event).onSuccess(written -> outbox.nudge());
  }

  /** For an event nobody waits for (a failed attempt): a failure to write it is logged. */
  public void recordUnwaited(SecurityEvent event) {
    record(event).onFailure(error ->
      LOG.warn("event=audit.unrecorded type={} user={} error={}", event.type(), event.userId(), error.toString()));
  }

  /** A page of Activity, read once the outbox has been relayed (what this node wrote is in it). */
  public Future<ActivityPage> activity(ActivityQuery query) {
    return flush().compose(relayed -> bus.request(Operations.AUDIT_ACTIVITY, query));
  }

  /** Records the outcome of {@code attempt} (success or failure) and passes that outcome on unchanged. */
  public <T> Future<T> outcome(Future<T> attempt, long userId, String type, ClientInfo client) {
    return outcome(attempt, userId, type, client, null);
  }

  /** A success whose event could not be written is not acknowledged: it fails as the write did. */
  public <T> Future<T> outcome(Future<T> attempt, long userId, String type, ClientInfo client, Map<String, String> details) {
    return attempt.transform(result -> record(userId, type, result.succeeded(), client, details)
      .transform(recorded -> result.failed() ? Future.failedFuture(result.cause())
        : recorded.failed() ? Future.failedFuture(recorded.cause()) : Future.succeededFuture(result.result())));
  }
}
