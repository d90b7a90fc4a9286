package dev.twofa.auth;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.bus.SessionRef;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalLong;

/** Enrollment (setup, then enable with a first code) and recovery-code regeneration. */
final class TwoFactorService {
  private final AuthStore store;
  private final AccountService accounts;
  private final SecretBox secretBox;
  private final TotpKeys keys;
  private final TotpVerifier verifier;
  private final RecoveryCodes recoveryCodes;
  private final Auditor auditor;

  TwoFactorService(AuthStore store, AccountService accounts, SecretBox secretBox, TotpKeys keys, TotpVerifier verifier,
                   RecoveryCodes recoveryCodes, Auditor auditor) {
    this.store = store;
    this.accounts = accounts;
    this.secretBox = secretBox;
    this.keys = keys;
    this.verifier = verifier;
    this.recoveryCodes = recoveryCodes;
    this.auditor = auditor;
  }

  /** A new pending secret (replacing any earlier one) as base32 and as an otpauth URI. */
  Future<JsonObject> setup(SessionRef session) {
    return signedIn(session).compose(user -> {
      if (user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.ALREADY_ENABLED);
      }
      String secret = keys.newSecret();
      byte[] sealed = secretBox.seal(secret.getBytes(StandardCharsets.US_ASCII), user.id());
      return store.users().setPendingSecret(store.pool(), user.id(), user.sessionEpoch(), sealed)
        .compose(stored -> stored
          ? Future.succeededFuture(new JsonObject()
              .put("secret", secret)
              .put("otpauthUri", keys.uri(secret, user.email())))
          : BusFailure.fail(ErrorCode.ALREADY_ENABLED));
    });
  }

  /** Turns 2FA on once {@code code} proves the app holds the pending secret; returns the first recovery codes. */
  Future<JsonObject> enable(SessionRef session, String code, ClientInfo client) {
    return signedIn(session).compose(user -> {
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
          .compose(enabled -> enabled
            ? store.recoveryCodes().replaceAll(tx, user.id(), codes.stream().map(recoveryCodes::digest).toList())
            : BusFailure.fail(ErrorCode.NO_PENDING_SETUP)))
        .compose(done -> auditor.record(user.id(), SecurityEvent.TWO_FACTOR_ENABLED, true, client))
        .compose(done -> accounts.currentUser(session))
        .map(userJson -> new JsonObject().put("recoveryCodes", new JsonArray(codes)).put("user", userJson));
    });
  }

  /** A fresh set of recovery codes after the password is confirmed; every earlier code stops working. */
  Future<JsonObject> regenerateRecoveryCodes(SessionRef session, String password, ClientInfo client) {
    return signedIn(session).compose(user -> {
      if (!user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      List<String> codes = recoveryCodes.generate();
      Future<Void> replaced = accounts.verifyPassword(user, password)
        .compose(ok -> store.pool().withTransaction(tx ->
          store.recoveryCodes().replaceAll(tx, user.id(), codes.stream().map(recoveryCodes::digest).toList())));
      return auditor.outcome(replaced, user.id(), SecurityEvent.RECOVERY_CODES_REGENERATED, client)
        .map(done -> new JsonObject().put("recoveryCodes", new JsonArray(codes)));
    });
  }

  private Future<UserRow> signedIn(SessionRef session) {
    return store.users().findBySession(store.pool(), session.userId(), session.epoch());
  }
}
