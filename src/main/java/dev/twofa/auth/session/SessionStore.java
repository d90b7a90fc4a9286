package dev.twofa.auth.session;

import io.vertx.sqlclient.Pool;

/** The session room's tables: sessions, and logins waiting for their second factor (a half-open session). */
record SessionStore(Pool pool, SessionRepository sessions, PendingLoginRepository pendingLogins) {
}
