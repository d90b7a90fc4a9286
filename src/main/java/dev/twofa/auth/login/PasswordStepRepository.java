package dev.twofa.auth.login;

import dev.twofa.auth.events.EventOutbox;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.auth.throttle.Throttle.Reservation;
import dev.twofa.bus.ClientInfo;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/**
 * The writes of a passed password step that owes a second factor, as one statement: the login counted under the
 * address's limit (its expired attempts dropped, the attempt reserved as a failure given back, this address's
 * failures on the account forgotten), the pending login created and its event queued for audit. One round trip and its own commit, where a transaction of the
 * same writes through {@link Throttle}, {@link PendingLoginRepository} and {@link EventOutbox} took five.
 */
final class PasswordStepRepository {

  /** Writes them and returns the pending login's cookie value. */
  Future<String> passed(SqlClient db, Limit logins, String forgottenKey, Reservation reserved, long userId, UUID loginId,
                        ClientInfo client, JsonObject event, Instant now) {
    String token = SessionTokens.newToken();
    return db.preparedQuery("SELECT login_password_step($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)")
      .execute(Tuple.of(forgottenKey, logins.key(), utc(now.minus(logins.policy().window())), utc(now),
        Buffer.buffer(SessionTokens.hash(token)), userId, loginId, client.ip(), client.userAgent(), event,
        reserved.recorded().toArray(String[]::new), utc(reserved.at())))
      .map(token);
  }
}
