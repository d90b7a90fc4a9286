package dev.twofa.auth.login;

import dev.twofa.auth.events.EventOutbox;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static dev.twofa.auth.account.UserRepository.utc;

/**
 * The write of a login's second step as one statement (the function login_second_step of migrations V13 and
 * V15): budget, single use of the code, then the completed login or the counted failure, with its events, in one
 * round trip (and, on its own, one commit).
 */
public final class SecondStepRepository {

  /** What the step found: its outcome, the oldest attempt in the budget (rate_limited), the wrong codes so far. */
  record Written(String outcome, Instant budgetOldest, int failures) {
    static final String COMPLETED = "completed";
    static final String RATE_LIMITED = "rate_limited";
    static final String INVALID_CODE = "invalid_code";
    static final String DROPPED = "dropped";
    static final String NO_PENDING_LOGIN = "no_pending_login";
  }

  /** The code as checked in Java: the TOTP step it matched, or the recovery code's candidate digests (or neither). */
  record Code(Long totpStep, List<byte[]> recoveryDigests, Long burnThrough) {
    static Code totp(Long step) {
      return new Code(step, null, null);
    }

    /** A code that cannot match anything (malformed): it still spends an attempt and counts as wrong. */
    static Code none() {
      return new Code(null, null, null);
    }

    static Code recovery(List<byte[]> digests, long burnThrough) {
      return new Code(null, digests, burnThrough);
    }
  }

  /** The session opened if the login completes. */
  public record NewSession(byte[] tokenHash, UUID handle, int epoch, Instant expiresAt, String ip, String userAgent) {
  }

  /** The budget the attempt is spent from. */
  record Budget(String key, int maxAttempts, Instant windowStart) {
  }

  /** The events written by each outcome, already in the outbox's form (see {@link EventOutbox#row}). */
  record Events(JsonObject succeeded, JsonObject failed, JsonObject abandoned) {
  }

  Future<Written> write(SqlClient db, byte[] pendingHash, Instant pendingAfter, long userId, Code code, Budget budget,
                        int maxFailures, NewSession session, Events events, Instant now) {
    Buffer[] digests = code.recoveryDigests() == null ? null
      : code.recoveryDigests().stream().map(Buffer::buffer).toArray(Buffer[]::new);
    return db.preparedQuery("""
        SELECT step_outcome, budget_oldest, failure_count FROM login_second_step(
          $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
        """)
      .execute(Tuple.from(Arrays.asList(Buffer.buffer(pendingHash), utc(pendingAfter), userId, code.totpStep(), digests,
        code.burnThrough(), budget.key(), budget.maxAttempts(), utc(now), utc(budget.windowStart()), maxFailures,
        Buffer.buffer(session.tokenHash()), session.handle(), session.epoch(), utc(session.expiresAt()), session.ip(),
        session.userAgent(), events.succeeded(), events.failed(), events.abandoned())))
      .map(rows -> {
        Row row = rows.iterator().next();
        var oldest = row.getOffsetDateTime("budget_oldest");
        return new Written(row.getString("step_outcome"), oldest == null ? null : oldest.toInstant(),
          row.getInteger("failure_count"));
      });
  }
}
