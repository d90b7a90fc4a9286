package dev.twofa.auth;

import dev.twofa.bus.AuthReplies.Enrollment;
import dev.twofa.bus.AuthReplies.EnrollmentOutcome;
import dev.twofa.bus.AuthReplies.NewRecoveryCodes;
import dev.twofa.bus.AuthReplies.TotpKey;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;

/** Enrollment (setup, then enable with a first code) and recovery-code regeneration. */
final class TwoFactorService {
  private final AuthStore store;
  private final SessionService sessions;
  private final AccountService accounts;
  private final SecretBox secretBox;
  private final TotpKeys keys;
  private final TotpVerifier verifier;
  private final RecoveryCodes recoveryCodes;
  private final Auditor auditor;
  private final Clock clock;

  TwoFactorService(AuthStore store, SessionService sessions, AccountService accounts, SecretBox secretBox, TotpKeys keys,
                   TotpVerifier verifier, RecoveryCodes recoveryCodes, Auditor auditor, Clock clock) {
    this.store = store;
    this.sessions = sessions;
    this.accounts = accounts;
    this.secretBox = secretBox;
    this.keys = keys;
    this.verifier = verifier;
    this.recoveryCodes = recoveryCodes;
    this.auditor = auditor;
    this.clock = clock;
  }

  /** A new pending secret (replacing any earlier one) as base32 and as an otpauth URI. */
  Future<TotpKey> setup(String token) {
    return sessions.signedIn(token).map(SignedIn::user).compose(user -> {
      if (user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.ALREADY_ENABLED);
      }
      String secret = keys.newSecret();
      byte[] sealed = secretBox.seal(secret.getBytes(StandardCharsets.US_ASCII), user.id());
      return store.users().setPendingSecret(store.pool(), user.id(), user.sessionEpoch(), sealed)
        .compose(stored -> stored
          ? Future.succeededFuture(new TotpKey(secret, keys.uri(secret, user.email())))
          : BusFailure.fail(ErrorCode.ALREADY_ENABLED));
    });
  }

  /**
   * Turns 2FA on once {@code code} proves the app holds the pending secret; returns the first recovery codes.
   * Every other session ends (the epoch moves on) and this one continues as a two-factor session, under a new
   * cookie value.
   */
  Future<EnrollmentOutcome> enable(String token, String code, ClientInfo client) {
    return sessions.signedIn(token).compose(session -> {
      UserRow user = session.user();
      if (user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.ALREADY_ENABLED);
      }
      if (user.pendingSecretBox() == null) {
        return BusFailure.fail(ErrorCode.NO_PENDING_SETUP);
      }
      byte[] secret = secretBox.openTotpSecret(user.pendingSecretBox(), user.id());
      OptionalLong step = verifier.matchingStep(secret, TotpVerifier.normalize(code), user.totpLastStep());
      if (step.isEmpty()) {
        return auditor.outcome(BusFailure.fail(ErrorCode.INVALID_CODE), user.id(), SecurityEvent.TWO_FACTOR_ENABLED, client);
      }
      List<String> codes = recoveryCodes.generate();
      return store.pool().withTransaction(tx -> store.users().enableTotp(tx, user.id(), user.pendingSecretBox(), step.getAsLong())
          .compose(epoch -> store.recoveryCodes().replaceAll(tx, user.id(), codes.stream().map(recoveryCodes::digest).toList())
            .compose(stored -> store.sessions().revokeOthers(tx, user.id(), null))
            .compose(ended -> store.pendingLogins().deleteForUser(tx, user.id()))
            .compose(ended -> sessions.open(tx, user, epoch, clock.instant(), client))))
        .compose(newToken -> auditor.record(user.id(), SecurityEvent.TWO_FACTOR_ENABLED, true, client)
          .compose(recorded -> accounts.currentUser(newToken))
          .map(enabled -> new EnrollmentOutcome(new Enrollment(codes, enabled), newToken)));
    });
  }

  /** A fresh set of recovery codes after the password is confirmed; every earlier code stops working. */
  Future<NewRecoveryCodes> regenerateRecoveryCodes(String token, String password, ClientInfo client) {
    return sessions.signedIn(token).map(SignedIn::user).compose(user -> {
      if (!user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      List<String> codes = recoveryCodes.generate();
      Future<Void> replaced = accounts.verifyPassword(user, password)
        .compose(ok -> store.pool().withTransaction(tx ->
          store.recoveryCodes().replaceAll(tx, user.id(), codes.stream().map(recoveryCodes::digest).toList())));
      return auditor.outcome(replaced, user.id(), SecurityEvent.RECOVERY_CODES_REGENERATED, client)
        .map(done -> new NewRecoveryCodes(codes));
    });
  }
}
