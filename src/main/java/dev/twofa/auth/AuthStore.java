package dev.twofa.auth;

import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.credential.recovery.RecoveryCodeRepository;
import dev.twofa.auth.login.PasswordStepRepository;
import dev.twofa.auth.login.PendingLoginRepository;
import dev.twofa.auth.login.SecondStepRepository;
import dev.twofa.auth.session.SessionRepository;
import dev.twofa.auth.throttle.Throttle;

import io.vertx.sqlclient.Pool;

/** The auth verticle's storage: its pool and one repository per table it owns. */
public record AuthStore(Pool pool, UserRepository users, RecoveryCodeRepository recoveryCodes,
                 PendingLoginRepository pendingLogins, SessionRepository sessions, Throttle throttle,
                 SecondStepRepository secondSteps, PasswordStepRepository passwordSteps) {
}
