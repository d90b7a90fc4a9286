package dev.twofa.auth;

import io.vertx.sqlclient.Pool;

/** The auth verticle's storage: its pool and one repository per table it owns. */
record AuthStore(Pool pool, UserRepository users, RecoveryCodeRepository recoveryCodes,
                 PendingLoginRepository pendingLogins, SessionRepository sessions, Throttle throttle,
                 SecondStepRepository secondSteps, PasswordStepRepository passwordSteps) {
}
