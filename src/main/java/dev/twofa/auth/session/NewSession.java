package dev.twofa.auth.session;

import io.vertx.core.buffer.Buffer;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static dev.twofa.db.SqlTime.utc;

/**
 * A session to be opened by a statement that does more than open it (a login's second step): the row to insert,
 * and the user's cap on live sessions that session_open (R__session.sql) keeps.
 */
public record NewSession(byte[] tokenHash, UUID handle, int epoch, Instant expiresAt, String ip, String userAgent,
                         int maxPerUser) {

  /** Its named parameters (#{sessionHash} … #{sessionMax}) for a statement that calls session_open. */
  public void putParameters(Map<String, Object> parameters) {
    parameters.put("sessionHash", Buffer.buffer(tokenHash));
    parameters.put("sessionHandle", handle);
    parameters.put("sessionEpoch", epoch);
    parameters.put("sessionExpires", utc(expiresAt));
    parameters.put("ip", ip);
    parameters.put("userAgent", userAgent);
    parameters.put("sessionMax", maxPerUser);
  }
}
