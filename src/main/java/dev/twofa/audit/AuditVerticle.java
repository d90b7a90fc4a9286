package dev.twofa.audit;

import dev.twofa.bus.AuditRequests.BatchReceipt;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.Operation;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.DatabaseFailures;
import dev.twofa.db.SchemaCheck;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.util.function.Function;

import static dev.twofa.bus.Operations.AUDIT_ACTIVITY;
import static dev.twofa.bus.Operations.AUDIT_HEALTH;
import static dev.twofa.bus.Operations.AUDIT_RECORD;
import static dev.twofa.bus.Operations.AUDIT_RECORD_BATCH;

/** Records security events and answers Activity queries (asked by auth, which has resolved the session). */
public class AuditVerticle extends VerticleBase {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AuditVerticle.class);
  private final TwofaConfig config;
  private final Clock clock;
  private final String schemaVersion;
  private Pool pool;

  public AuditVerticle(TwofaConfig config, Clock clock, String schemaVersion) {
    this.config = config;
    this.clock = clock;
    this.schemaVersion = schemaVersion;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.dbUrl().orElseThrow(), config.dbPoolSize(), "twofa-audit");
    AuditRepository events = new AuditRepository(pool);
    // Only auth (the key ring) may write or read a user's events: its requests are sealed, and so are receipts.
    byte[] key = config.keys().auditKey().orElseThrow(() -> new IllegalStateException("no secret keys"));
    schedulePurge(new ActivityRetention(pool, config.activity().retentionDays(), ActivityRetention.BATCH));
    return Future.all(
      serve(vertx, AUDIT_RECORD, key, event -> events.insert(event, clock.instant())).completion(),
      serve(vertx, AUDIT_RECORD_BATCH, key, batch -> events.insertAll(batch.events(), clock.instant())
        .map(recorded -> BatchReceipt.of(key, batch))).completion(),
      serve(vertx, AUDIT_ACTIVITY, key, query -> events.page(query)).completion(),
      serve(vertx, AUDIT_HEALTH, null, m -> SchemaCheck.check(pool, schemaVersion).recover(BusFailure::unavailable)).completion());
  }

  /** Nightly at 18:00 UTC (03:00 in Japan, where most users are); every audit instance tries, one node runs it. */
  private void schedulePurge(ActivityRetention retention) {
    java.time.Instant now = clock.instant();
    java.time.Instant next = now.atZone(java.time.ZoneOffset.UTC).toLocalDate().atTime(18, 0).toInstant(java.time.ZoneOffset.UTC);
    if (!next.isAfter(now)) {
      next = next.plus(java.time.Duration.ofDays(1));
    }
    vertx.setTimer(Math.max(1, java.time.Duration.between(now, next).toMillis()), first -> {
      purge(retention);
      vertx.setPeriodic(java.time.Duration.ofDays(1).toMillis(), each -> purge(retention));
    });
  }

  private void purge(ActivityRetention retention) {
    retention.purge(clock.instant())
      .onSuccess(purged -> {
        if (purged.ran()) {
          LOG.info("event=activity.purged deleted={}", purged.deleted());
        }
      })
      .onFailure(error -> LOG.warn("event=activity.purge_failed error={}", error.toString()));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }

  /**
   * {@link BusRequests#serve}, with PostgreSQL out of reach (stopped, restarting, a connection lost) answered as
   * UNAVAILABLE (503, try again) rather than as a bug.
   */
  private static <Q, R> MessageConsumer<Q> serve(Vertx vertx, Operation<Q, R> operation, byte[] sealKey,
                                                 Function<Q, Future<R>> handler) {
    Function<Q, Future<R>> served = request -> handler.apply(request).recover(error ->
      DatabaseFailures.unreachable(error) ? BusFailure.fail(ErrorCode.UNAVAILABLE) : Future.failedFuture(error));
    return sealKey == null ? BusRequests.serve(vertx, operation, served) : BusRequests.serveSealed(vertx, operation, sealKey, served);
  }
}
