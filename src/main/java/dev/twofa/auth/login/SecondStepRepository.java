package dev.twofa.auth.login;

import dev.twofa.auth.session.NewSession;
import dev.twofa.auth.events.EventOutbox;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.templates.SqlTemplate;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.twofa.db.SqlTime.utc;

/**
 * The write of a login's second step as one statement (login_code_step of R__login.sql): budget, single use of
 * the code, then the completed login or the counted failure, with its events, in one round trip (and, on its own,
 * one commit).
 */
final class SecondStepRepository {

  /** What the step found: its outcome, the oldest attempt in the budget (rate_limited), the wrong codes so far. */
  record Written(String outcome, Instant budgetOldest, int failures) {
    static final String COMPLETED = "completed";
    static final String RATE_LIMITED = "rate_limited";
    static final String INVALID_CODE = "invalid_code";
    static final String DROPPED = "dropped";
    static final String NO_PENDING_LOGIN = "no_pending_login";
  }

  /** The code as checked in Java: the TOTP step it matched, or the recovery code's candidate digests (or neither). */
  record Code(Long totpStep, List<byte[]> recoveryDigests, Long burnThrough, java.util.UUID passkeyId, Long signCount,
              String keyBinding) {
    Code(Long totpStep, List<byte[]> recoveryDigests, Long burnThrough) {
      this(totpStep, recoveryDigests, burnThrough, null, null, null);
    }

    static Code totp(Long step) {
      return new Code(step, null, null);
    }

    /**
     * A passkey whose signature verified, the counter it signed (accepted only if it moves forward) and where its
     * key lives ("hwk" or "swk").
     */
    static Code passkey(java.util.UUID passkeyId, long signCount, String keyBinding) {
      return new Code(null, null, null, passkeyId, signCount, keyBinding);
    }

    /** A code that cannot match anything (malformed): it still spends an attempt and counts as wrong. */
    static Code none() {
      return new Code(null, null, null);
    }

    static Code recovery(List<byte[]> digests, long burnThrough) {
      return new Code(null, digests, burnThrough);
    }
  }

  /** The budget the attempt is spent from. */
  record Budget(String key, int maxAttempts, Instant windowStart) {
  }

  /** The events written by each outcome, already in the outbox's form (see {@link EventOutbox#row}). */
  record Events(JsonObject succeeded, JsonObject failed, JsonObject abandoned) {
  }

  /** login_code_step (R__login.sql) with its parameters by name: twenty-four are too many to keep in order. */
  private static final String STEP = """
      SELECT step_outcome, budget_oldest, failure_count FROM login_code_step(
        #{pendingHash}, #{pendingAfter}, #{userId}, #{totpStep}, #{recoveryDigests}, #{burnThrough},
        #{budgetKey}, #{budgetMax}, #{now}, #{windowStart}, #{maxFailures},
        #{sessionHash}, #{sessionHandle}, #{sessionEpoch}, #{sessionExpires}, #{ip}, #{userAgent}, #{sessionMax},
        #{succeeded}, #{failed}, #{abandoned}, #{passkeyId}, #{signCount}, #{passkeyBinding})
      """;

  private final Pool pool;
  /** The template parsed once for the common case, the step in a commit of its own on the pool. */
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> onPool;

  SecondStepRepository(Pool pool) {
    this.pool = pool;
    this.onPool = SqlTemplate.forQuery(pool, STEP);
  }

  Future<Written> write(SqlClient db, byte[] pendingHash, Instant pendingAfter, long userId, Code code, Budget budget,
                        int maxFailures, NewSession session, Events events, Instant now) {
    Map<String, Object> parameters = new HashMap<>();
    parameters.put("pendingHash", Buffer.buffer(pendingHash));
    parameters.put("pendingAfter", utc(pendingAfter));
    parameters.put("userId", userId);
    parameters.put("totpStep", code.totpStep());
    parameters.put("recoveryDigests", code.recoveryDigests() == null ? null
      : code.recoveryDigests().stream().map(Buffer::buffer).toArray(Buffer[]::new));
    parameters.put("burnThrough", code.burnThrough());
    parameters.put("passkeyId", code.passkeyId());
    parameters.put("signCount", code.signCount());
    parameters.put("passkeyBinding", code.keyBinding());
    parameters.put("budgetKey", budget.key());
    parameters.put("budgetMax", budget.maxAttempts());
    parameters.put("now", utc(now));
    parameters.put("windowStart", utc(budget.windowStart()));
    parameters.put("maxFailures", maxFailures);
    session.putParameters(parameters);
    parameters.put("succeeded", events.succeeded());
    parameters.put("failed", events.failed());
    parameters.put("abandoned", events.abandoned());
    return (db == pool ? onPool : SqlTemplate.forQuery(db, STEP)).execute(parameters)
      .map(rows -> {
        Row row = rows.iterator().next();
        var oldest = row.getOffsetDateTime("budget_oldest");
        return new Written(row.getString("step_outcome"), oldest == null ? null : oldest.toInstant(),
          row.getInteger("failure_count"));
      });
  }
}
