package dev.twofa.auth.session;

import java.time.Instant;
import java.util.UUID;

/**
 * A session to be opened by a statement that does more than open it (a login's second step): the row to insert,
 * and the user's cap on live sessions that session_open (R__session.sql) keeps.
 */
public record NewSession(byte[] tokenHash, UUID handle, int epoch, Instant expiresAt, String ip, String userAgent,
                         int maxPerUser) {
}
