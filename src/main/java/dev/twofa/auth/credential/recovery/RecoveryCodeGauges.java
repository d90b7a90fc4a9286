package dev.twofa.auth.credential.recovery;

import dev.twofa.auth.Door;
import dev.twofa.config.RecoveryCodePolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Prometheus gauges of the accounts that may soon be locked out by a lost phone: twofa_recovery_codes_few_accounts
 * (at most {@link RecoveryCodePolicy#FEW} unused codes left, none included) and twofa_recovery_codes_none_accounts.
 * Database-wide, read on a timer (never on a scrape), so every auth node shows the same figure. An account counts
 * once it has a code set (used codes stay as tombstones until new codes replace them).
 */
@Door
public final class RecoveryCodeGauges {
  private final Pool pool;
  private final AtomicLong few = new AtomicLong();
  private final AtomicLong none = new AtomicLong();

  public RecoveryCodeGauges(Pool pool) {
    this.pool = pool;
  }

  public void register(MeterRegistry registry) {
    Gauge.builder("twofa.recovery_codes.few.accounts", few, AtomicLong::get)
      .description("Accounts with at most " + RecoveryCodePolicy.FEW + " unused recovery codes (none included)")
      .register(registry);
    Gauge.builder("twofa.recovery_codes.none.accounts", none, AtomicLong::get)
      .description("Accounts whose recovery codes are all used").register(registry);
  }

  /** Reads both figures in one statement. */
  public Future<Void> refresh() {
    return pool.preparedQuery("""
        SELECT count(*) FILTER (WHERE unused <= $1) AS few, count(*) FILTER (WHERE unused = 0) AS none
        FROM (SELECT count(*) FILTER (WHERE used_at IS NULL) AS unused FROM recovery_codes GROUP BY user_id) sets
        """)
      .execute(io.vertx.sqlclient.Tuple.of(RecoveryCodePolicy.FEW))
      .map(rows -> {
        Row row = rows.iterator().next();
        few.set(row.getLong("few"));
        none.set(row.getLong("none"));
        return null;
      });
  }
}
