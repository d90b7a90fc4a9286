package dev.twofa.auth.login;

import dev.twofa.auth.session.NewSession;
import dev.twofa.auth.throttle.Throttle.Reservation;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.templates.SqlTemplate;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/**
 * The write of a sign-in with a passkey alone as one statement (login_passkey_sign_in of R__login.sql): the
 * account's second-factor budget, the counter, then the session with both factors or the counted refusal.
 */
final class PasskeySignInRepository {
  static final String COMPLETED = "completed";
  static final String RATE_LIMITED = "rate_limited";

  /** What the statement found: its outcome and, when rate limited, the oldest attempt in the budget. */
  record Written(String outcome, Instant budgetOldest) {
  }

  private static final String STEP = """
      SELECT step_outcome, budget_oldest FROM login_passkey_sign_in(
        #{userId}, #{passkeyId}, #{signCount}, #{budgetKey}, #{budgetMax}, #{now}, #{windowStart},
        #{reservedKeys}, #{reservedAt},
        #{sessionHash}, #{sessionHandle}, #{sessionEpoch}, #{sessionExpires}, #{ip}, #{userAgent}, #{sessionMax},
        #{sessionMethod}, #{succeeded}, #{failed})
      """;

  /** {@code passkeyId} null: refused in Java, counted here. */
  Future<Written> write(SqlClient db, long userId, UUID passkeyId, Long signCount, SecondStepRepository.Budget budget,
                        Reservation reserved, NewSession session, String sessionMethod, JsonObject succeeded,
                        JsonObject failed, Instant now) {
    Map<String, Object> parameters = new HashMap<>();
    parameters.put("userId", userId);
    parameters.put("passkeyId", passkeyId);
    parameters.put("signCount", signCount);
    parameters.put("budgetKey", budget.key());
    parameters.put("budgetMax", budget.maxAttempts());
    parameters.put("now", utc(now));
    parameters.put("windowStart", utc(budget.windowStart()));
    parameters.put("reservedKeys", reserved.recorded().toArray(String[]::new));
    parameters.put("reservedAt", utc(reserved.at()));
    session.putParameters(parameters);
    parameters.put("sessionMethod", sessionMethod);
    parameters.put("succeeded", succeeded);
    parameters.put("failed", failed);
    return SqlTemplate.forQuery(db, STEP).execute(parameters).map(rows -> {
      Row row = rows.iterator().next();
      var oldest = row.getOffsetDateTime("budget_oldest");
      return new Written(row.getString("step_outcome"), oldest == null ? null : oldest.toInstant());
    });
  }
}
