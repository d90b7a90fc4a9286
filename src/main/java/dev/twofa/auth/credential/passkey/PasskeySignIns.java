package dev.twofa.auth.credential.passkey;

import com.webauthn4j.data.AuthenticationData;
import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.passkey.PasskeyService.Verified;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.bus.AuthReplies.PasskeyOptions;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The passkey's side of a sign-in without a password: request options before anyone is known (the browser offers
 * this site's discoverable passkeys), and the check of the answer, which names the account. The challenge is bound
 * to the browser (its device cookie) and the purpose {@value #SIGN_IN}; user verification is required, since the
 * passkey is then both factors: something you have, unlocked by your device's PIN or biometric.
 */
@Door
public final class PasskeySignIns {
  static final String SIGN_IN = "sign_in";
  private final Pool pool;
  private final UserRepository users;
  private final PasskeyRepository passkeys;
  private final RelyingParty relyingParty;
  private final Auditor auditor;
  private final Clock clock;

  /**
   * What a sign-in assertion came to: whose passkey it names ({@code user}; empty when it names none of ours or
   * could not be read or its challenge was not this browser's), and the verified passkey, or why not
   * ({@code refusal}: {@code user_not_verified} when the signature is right but the authenticator did not check
   * its owner).
   */
  public record SignInCheck(Optional<UserRow> user, Optional<Verified> verified, String refusal) {
    static SignInCheck refused(Optional<UserRow> user, String refusal) {
      return new SignInCheck(user, Optional.empty(), refusal);
    }
  }

  PasskeySignIns(Pool pool, UserRepository users, PasskeyRepository passkeys, RelyingParty relyingParty,
                 Auditor auditor, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.passkeys = passkeys;
    this.relyingParty = relyingParty;
    this.auditor = auditor;
    this.clock = clock;
  }

  /** Request options for this browser; a new one replaces its earlier challenge. */
  public Future<PasskeyOptions> options(Session request) {
    Optional<byte[]> browser = browser(request.client());
    if (browser.isEmpty()) {
      return BusFailure.fail(ErrorCode.INVALID_REQUEST);
    }
    byte[] challenge = relyingParty.newChallenge();
    Instant now = clock.instant();
    return passkeys.createChallenge(pool, challenge, browser.get(), SIGN_IN, null, now,
        now.plus(PasskeyService.CHALLENGE_LIFETIME))
      .map(created -> new PasskeyOptions(relyingParty.signInOptions(challenge).encode()));
  }

  /**
   * Spends the challenge the assertion answers (whatever follows; only this browser's), finds the passkey by its
   * credential id, and lets webauthn4j check signature, RP ID, origin, challenge, counter and the UV flag. A
   * counter that went back is recorded as a possible clone.
   */
  public Future<SignInCheck> check(String assertion, ClientInfo client) {
    Optional<byte[]> browser = browser(client);
    Optional<AuthenticationData> parsed = relyingParty.parseAssertion(assertion);
    if (browser.isEmpty() || parsed.isEmpty()) {
      return Future.succeededFuture(SignInCheck.refused(Optional.empty(), "malformed"));
    }
    AuthenticationData data = parsed.get();
    byte[] challenge = data.getCollectedClientData().getChallenge().getValue();
    return passkeys.useChallenge(pool, challenge, browser.get(), SIGN_IN, null, clock.instant())
      .compose(spent -> !spent ? Future.succeededFuture(Optional.<StoredPasskey>empty())
        : passkeys.findByCredentialId(pool, data.getCredentialId()))
      .compose(found -> found.isEmpty() ? Future.succeededFuture(SignInCheck.refused(Optional.empty(), "unknown"))
        : users.findById(pool, found.get().userId()).map(user -> user.isEmpty()
          ? SignInCheck.refused(Optional.empty(), "unknown") : check(data, challenge, found.get(), user.get(), client)));
  }

  private SignInCheck check(AuthenticationData data, byte[] challenge, StoredPasskey passkey, UserRow user,
                            ClientInfo client) {
    Optional<UserRow> whose = Optional.of(user);
    // A discoverable credential answers with the user handle it was made for: it must be there, and this account's.
    if (data.getUserHandle() == null || !Arrays.equals(data.getUserHandle(), PasskeyService.userHandle(user))) {
      return SignInCheck.refused(whose, "refused");
    }
    return switch (relyingParty.verifyAssertion(data, challenge, passkey, true)) {
      case VERIFIED -> new SignInCheck(whose, Optional.of(new Verified(passkey.id(),
        data.getAuthenticatorData().getSignCount(), passkey.name(), RelyingParty.keyBinding(data.getAuthenticatorData()))),
        null);
      case COUNTER_WENT_BACK -> {
        auditor.recordUnwaited(PasskeyService.event(user, SecurityEvent.PASSKEY_CLONE_SUSPECTED, client, passkey.name(), false));
        yield SignInCheck.refused(whose, "clone_suspected");
      }
      case USER_NOT_VERIFIED -> SignInCheck.refused(whose, "user_not_verified");
      case REFUSED -> SignInCheck.refused(whose, "refused");
    };
  }

  /** The browser a sign-in's challenge is bound to: its device cookie's hash (none for a request without one). */
  private static Optional<byte[]> browser(ClientInfo client) {
    return client == null || client.device() == null ? Optional.empty()
      : Optional.of(SessionTokens.hash(client.device().id()));
  }
}
