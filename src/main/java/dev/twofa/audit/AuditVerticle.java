package dev.twofa.audit;

import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.SchemaCheck;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Clock;

import static dev.twofa.bus.Addresses.AUDIT_ACTIVITY;
import static dev.twofa.bus.Addresses.AUDIT_HEALTH;
import static dev.twofa.bus.Addresses.AUDIT_RECORD;
import static dev.twofa.bus.BusRequests.serve;

/** Records security events and answers the Activity query. */
public class AuditVerticle extends VerticleBase {
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
    return Future.all(
      serve(vertx, AUDIT_RECORD, m -> events.insert(SecurityEvent.fromJson(m), clock.instant()).map(new JsonObject()))
        .completion(),
      serve(vertx, AUDIT_ACTIVITY, m -> events.page(m.getLong("userId"), m.getInteger("limit"), m.getLong("before"),
        m.getBoolean("staffView", false))).completion(),
      serve(vertx, AUDIT_HEALTH, m -> SchemaCheck.check(pool, schemaVersion)).completion());
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }
}
