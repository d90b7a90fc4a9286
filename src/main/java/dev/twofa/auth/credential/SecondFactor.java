package dev.twofa.auth.credential;

import dev.twofa.auth.Door;
import java.time.Clock;
import dev.twofa.config.TotpPolicy;
import dev.twofa.config.KeyRing;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.recovery.RecoveryCodeRepository;
import dev.twofa.auth.credential.recovery.RecoveryCodes;
import dev.twofa.auth.credential.totp.SecretBox;
import dev.twofa.auth.credential.totp.TotpVerifier;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ErrorCode;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/** Checks a TOTP or recovery code for a user and records its use in the same atomic statement. */
@Door
public final class SecondFactor {
  private final UserRepository users;
  private final RecoveryCodeRepository recoveryCodeStore;
  private final SecretBox secretBox;
  private final TotpVerifier verifier;
  private final RecoveryCodes recoveryCodes;
  private final Clock clock;

  /** The second factors an account can present: its authenticator's codes and its recovery codes. */
  public static SecondFactor create(UserRepository users, KeyRing keys, TotpPolicy totp, Clock clock) {
    return new SecondFactor(users, new RecoveryCodeRepository(), new SecretBox(keys), new TotpVerifier(totp, clock),
      new RecoveryCodes(keys), clock);
  }

  SecondFactor(UserRepository users, RecoveryCodeRepository recoveryCodeStore, SecretBox secretBox,
               TotpVerifier verifier, RecoveryCodes recoveryCodes, Clock clock) {
    this.clock = clock;
    this.users = users;
    this.recoveryCodeStore = recoveryCodeStore;
    this.secretBox = secretBox;
    this.verifier = verifier;
    this.recoveryCodes = recoveryCodes;
  }

  /** True when the code matches a step later than the last accepted one and this call recorded that step. */
  public Future<Boolean> acceptTotp(SqlClient db, UserRow user, String code) {
    OptionalLong step = totpStep(user, code);
    return step.isPresent() ? users.acceptTotpStep(db, user.id(), step.getAsLong()) : Future.succeededFuture(false);
  }

  /** The step {@code code} matches for the user's app, later than the last accepted one (not yet recorded). */
  public OptionalLong totpStep(UserRow user, String code) {
    byte[] secret = secretBox.openTotpSecret(user.totpSecretBox(), user.id());
    return verifier.matchingStep(secret, TotpVerifier.normalize(code), user.totpLastStep());
  }

  /** The digests a stored recovery code of {@code userId} equal to {@code code} may have (empty: it cannot be a code). */
  public Optional<List<byte[]>> recoveryDigests(long userId, String code) {
    return RecoveryCodes.normalize(code).map(normalized -> recoveryCodes.candidateDigests(userId, normalized));
  }

  /** A recovery login makes every TOTP step up to this one unusable (whoever holds the code may have seen them). */
  public long burnThroughStep() {
    return verifier.currentStep() + 1;
  }

  /** Forgets every recovery code of the account (2FA turned off by the support desk), in the caller's transaction. */
  public Future<Void> forgetRecoveryCodes(SqlClient tx, long userId) {
    return recoveryCodeStore.deleteAll(tx, userId);
  }

  /**
   * True when this call consumed the recovery code. A recovery login also burns the current and the next
   * TOTP step, since whoever holds the code may have seen those.
   */
  public Future<Boolean> acceptRecoveryCode(SqlClient db, UserRow user, String code) {
    Optional<String> normalized = RecoveryCodes.normalize(code);
    if (normalized.isEmpty()) {
      return Future.succeededFuture(false);
    }
    return recoveryCodeStore.use(db, user.id(), recoveryCodes.candidateDigests(user.id(), normalized.get()),
      burnThroughStep(), clock.instant());
  }

  /**
   * How many unused codes the user has, read in the transaction that used one (its rows stay locked until commit,
   * so the count is exact even while another of the user's codes is being used).
   */
  public Future<Integer> recoveryCodesLeft(SqlClient tx, long userId) {
    return recoveryCodeStore.left(tx, userId);
  }

  /**
   * Why a refused code was refused: a recovery code of the current set used before says so, with its date (it
   * tells nothing to someone who does not hold the code); anything else is an invalid code.
   */
  public Future<BusFailure> refusal(SqlClient db, long userId, String recoveryCode) {
    Optional<List<byte[]>> digests = recoveryCode == null ? Optional.empty() : recoveryDigests(userId, recoveryCode);
    if (digests.isEmpty()) {
      return Future.succeededFuture(new BusFailure(ErrorCode.INVALID_CODE));
    }
    return recoveryCodeStore.usedAt(db, userId, digests.get())
      .map(usedAt -> usedAt.map(BusFailure::recoveryCodeUsed).orElseGet(() -> new BusFailure(ErrorCode.INVALID_CODE)));
  }
}
