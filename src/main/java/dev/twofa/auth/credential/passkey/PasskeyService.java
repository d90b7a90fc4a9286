package dev.twofa.auth.credential.passkey;

import com.webauthn4j.data.AuthenticationData;
import com.webauthn4j.data.RegistrationData;
import dev.twofa.auth.Door;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.passkey.RelyingParty.NewCredential;
import dev.twofa.auth.credential.recovery.RecoveryCodeRepository;
import dev.twofa.auth.credential.recovery.RecoveryCodes;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.trust.TrustedBrowserService;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.session.SignedIn;
import dev.twofa.bus.AuthReplies.PasskeyAdded;
import dev.twofa.bus.AuthReplies.PasskeyOptions;
import dev.twofa.bus.AuthReplies.PasskeyView;
import dev.twofa.bus.AuthReplies.Passkeys;
import dev.twofa.bus.AuthRequests.PasskeyRegistration;
import dev.twofa.bus.AuthRequests.PasskeyRemove;
import dev.twofa.bus.AuthRequests.PasskeyRename;
import dev.twofa.bus.AuthRequests.Session;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.KeyRing;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.PublicUrl;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Passkeys (WebAuthn, verified by webauthn4j) as a second factor: adding, listing, renaming and removing them,
 * and checking an assertion for a login's second step or a step-up. Every challenge is random, spent once, and
 * good only for the session (or pending login) and purpose it was made for, for {@link #CHALLENGE_LIFETIME}.
 */
@Door
public final class PasskeyService {
  static final Duration CHALLENGE_LIFETIME = Duration.ofMinutes(2);
  static final String REGISTER = "register";
  static final String LOGIN = "login";
  static final String STEP_UP = "step_up";
  private final Pool pool;
  private final UserRepository users;
  private final SessionService sessions;
  private final RecoveryCodes recoveryCodes;
  private final RecoveryCodeRepository recoveryCodeRows = new RecoveryCodeRepository();
  private final PasskeyRepository passkeys = new PasskeyRepository();
  private final RelyingParty relyingParty;
  private final PasskeySignIns signIns;
  private final Auditor auditor;
  private final Mailer mailer;
  private final LoginPolicy policy;
  private final TrustedBrowserService trust;
  private final Clock clock;

  /**
   * An assertion that verified: which passkey, the counter it signed (accepted only if it moves forward), and where
   * its key lives as amr says it ("hwk" or "swk", see {@link RelyingParty#keyBinding}).
   */
  public record Verified(UUID passkeyId, long signCount, String name, String keyBinding) {
  }

  public static PasskeyService create(Pool pool, UserRepository users, SessionService sessions, KeyRing keys,
                                      Auditor auditor, Mailer mailer, PublicUrl publicUrl, String productName,
                                      LoginPolicy policy, TrustedBrowserService trust, Clock clock) {
    return new PasskeyService(pool, users, sessions, new RecoveryCodes(keys), new RelyingParty(publicUrl, productName),
      auditor, mailer, policy, trust, clock);
  }

  PasskeyService(Pool pool, UserRepository users, SessionService sessions, RecoveryCodes recoveryCodes,
                 RelyingParty relyingParty, Auditor auditor, Mailer mailer, LoginPolicy policy,
                 TrustedBrowserService trust, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.sessions = sessions;
    this.recoveryCodes = recoveryCodes;
    this.relyingParty = relyingParty;
    this.signIns = new PasskeySignIns(pool, users, passkeys, relyingParty, auditor, clock);
    this.auditor = auditor;
    this.mailer = mailer;
    this.policy = policy;
    this.trust = trust;
    this.clock = clock;
  }

  /** The sign-in without a password: its options and check, with this relying party. */
  public PasskeySignIns signIns() {
    return signIns;
  }

  /** After a step-up: creation options for a new passkey, excluding the account's own. */
  public Future<PasskeyOptions> registrationOptions(Session request) {
    return sessions.steppedUp(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      return passkeys.list(pool, user.id()).compose(list -> {
        byte[] challenge = relyingParty.newChallenge();
        return challenge(challenge, session.tokenHash(), REGISTER, user.id())
          .map(created -> new PasskeyOptions(relyingParty.creationOptions(challenge, userHandle(user), user.email(),
            list.stream().map(StoredPasskey::credentialId).toList()).encode()));
      });
    });
  }

  /**
   * After a step-up: stores the passkey the browser created for this session's options. The account's first
   * second factor also gets its recovery codes (shown once), like turning on an authenticator app.
   */
  public Future<PasskeyAdded> register(PasskeyRegistration request) {
    return sessions.steppedUp(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      Optional<RegistrationData> parsed = relyingParty.parseRegistration(request.credential());
      if (parsed.isEmpty()) {
        return BusFailure.fail(ErrorCode.PASSKEY_REFUSED);
      }
      byte[] challenge = parsed.get().getCollectedClientData().getChallenge().getValue();
      return passkeys.useChallenge(pool, challenge, session.tokenHash(), REGISTER, user.id(), clock.instant())
        .compose(spent -> {
          Optional<NewCredential> credential = spent ? relyingParty.verifyRegistration(parsed.get(), challenge) : Optional.empty();
          return credential.map(c -> store(session, c, request.name(), request.client()))
            .orElseGet(() -> auditor.outcome(BusFailure.fail(ErrorCode.PASSKEY_REFUSED), user.id(),
              SecurityEvent.PASSKEY_ADDED, request.client()));
        });
    });
  }

  private Future<PasskeyAdded> store(SignedIn session, NewCredential credential, String typedName, ClientInfo client) {
    UserRow user = session.user();
    String name = PasskeyNames.clean(typedName)
      .orElseGet(() -> PasskeyNames.defaultName(credential.aaguid(), client.userAgent(), user.language()));
    List<String> codes = user.twoFactorEnabled() ? null : recoveryCodes.generate();
    SecurityEvent event = event(user, SecurityEvent.PASSKEY_ADDED, client, name);
    return pool.withTransaction(tx -> passkeys.insert(tx, UUID.randomUUID(), user.id(), credential, name, clock.instant())
        .compose(inserted -> !inserted ? BusFailure.<Void>fail(ErrorCode.PASSKEY_EXISTS)
          : codes == null ? Future.<Void>succeededFuture()
          : recoveryCodeRows.replaceAll(tx, user.id(), recoveryCodes.currentKeyId(), recoveryCodes.digests(user.id(), codes)))
        // A new way in beside an existing second factor is a change of one (the first passkey turns 2FA on).
        .compose(stored -> codes == null ? users.hold().afterChange(tx, user.id()) : Future.<Void>succeededFuture())
        .compose(held -> mailer.notice(tx, user, Mailer.PASSKEY_ADDED, client, null))
        .compose(mailed -> auditor.recordWithin(tx, event)))
      .onSuccess(committed -> {
        mailer.nudge();
        auditor.nudge();
      })
      .compose(committed -> users.findById(pool, user.id()))
      .compose(now -> views(user.id()).map(list -> new PasskeyAdded(list, codes, now.orElseThrow().toUser())));
  }

  public Future<Passkeys> list(Session request) {
    return sessions.signedIn(request.sessionToken()).compose(session -> views(session.user().id()).map(Passkeys::new));
  }

  /** Renames one of the session's passkeys (no step-up: a name opens nothing, and its owner hears of it). */
  public Future<Passkeys> rename(PasskeyRename request) {
    Optional<String> name = PasskeyNames.clean(request.name());
    Optional<UUID> id = uuid(request.id());
    return sessions.signedIn(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      if (name.isEmpty()) {
        return BusFailure.fail(ErrorCode.INVALID_REQUEST);
      }
      if (id.isEmpty()) {
        return BusFailure.fail(ErrorCode.NOT_FOUND);
      }
      SecurityEvent event = event(user, SecurityEvent.PASSKEY_RENAMED, request.client(), name.get());
      return pool.withTransaction(tx -> passkeys.rename(tx, user.id(), id.get(), name.get())
          .compose(renamed -> renamed ? mailer.notice(tx, user, Mailer.PASSKEY_RENAMED, request.client(), null)
            : BusFailure.<Void>fail(ErrorCode.NOT_FOUND))
          .compose(mailed -> auditor.recordWithin(tx, event)))
        .onSuccess(committed -> {
          mailer.nudge();
          auditor.nudge();
        })
        .compose(committed -> views(user.id()).map(Passkeys::new));
    });
  }

  /**
   * After a step-up: removes one of the session's passkeys. When it was the account's last second factor (no
   * authenticator app, no other passkey), 2FA is off and its recovery codes go with it.
   */
  public Future<Passkeys> remove(PasskeyRemove request) {
    Optional<UUID> id = uuid(request.id());
    return sessions.steppedUp(request.sessionToken()).compose(session -> {
      UserRow user = session.user();
      if (id.isEmpty()) {
        return BusFailure.fail(ErrorCode.NOT_FOUND);
      }
      return pool.withTransaction(tx -> passkeys.list(tx, user.id())
          .compose(before -> {
            Optional<StoredPasskey> removed = before.stream().filter(p -> p.id().equals(id.get())).findFirst();
            if (removed.isEmpty()) {
              return BusFailure.<Void>fail(ErrorCode.NOT_FOUND);
            }
            boolean lastSecondFactor = !user.hasTotp() && before.size() == 1;
            // Removing the last second factor turns 2FA off, which the security hold pauses.
            return (lastSecondFactor ? users.hold().refuseDuring(tx, user.id()) : Future.<Void>succeededFuture())
              .compose(free -> passkeys.delete(tx, user.id(), id.get()))
              .compose(deleted -> users.hold().afterChange(tx, user.id()))
              // Every trusted browser of the account ends with the passkey (the epoch stays: other sessions do not).
              .compose(held -> trust.endAll(tx, user.id()))
              .compose(ended -> lastSecondFactor ? recoveryCodeRows.deleteAll(tx, user.id()) : Future.<Void>succeededFuture())
              .compose(forgotten -> mailer.notice(tx, user, Mailer.PASSKEY_REMOVED, request.client(), null))
              .compose(mailed -> auditor.recordWithin(tx,
                event(user, SecurityEvent.PASSKEY_REMOVED, request.client(), removed.get().name())));
          }))
        .onSuccess(committed -> {
          mailer.nudge();
          auditor.nudge();
        })
        .compose(committed -> views(user.id()).map(Passkeys::new));
    });
  }

  /** Request options for a pending login's second step (none when the account has no passkey). */
  public Future<PasskeyOptions> loginOptions(Session request) {
    String token = request.sessionToken();
    if (token == null || token.isEmpty()) {
      return BusFailure.fail(ErrorCode.NO_PENDING_LOGIN);
    }
    byte[] pending = SessionTokens.hash(token);
    return users.findByPendingLogin(pool, pending, clock.instant().minus(policy.pendingLoginTtl()))
      .compose(found -> found.map(p -> requestOptions(p.user(), pending, LOGIN))
        .orElseGet(() -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN)));
  }

  /** Request options for a step-up of this session (none when the account has no passkey). */
  public Future<PasskeyOptions> stepUpOptions(Session request) {
    return sessions.signedIn(request.sessionToken())
      .compose(session -> requestOptions(session.user(), session.tokenHash(), STEP_UP));
  }

  private Future<PasskeyOptions> requestOptions(UserRow user, byte[] binding, String purpose) {
    return passkeys.list(pool, user.id()).compose(list -> {
      if (list.isEmpty()) {
        // Nothing to offer (no challenge made): the code step asks on every visit, an error would be noise.
        return Future.succeededFuture(new PasskeyOptions(null));
      }
      byte[] challenge = relyingParty.newChallenge();
      return challenge(challenge, binding, purpose, user.id()).map(created -> new PasskeyOptions(
        relyingParty.requestOptions(challenge, list.stream().map(StoredPasskey::credentialId).toList()).encode()));
    });
  }

  /** The assertion for a pending login's second step ({@code pendingHash}: its cookie's hash), if it verifies. */
  public Future<Optional<Verified>> verifyForLogin(UserRow user, byte[] pendingHash, String assertion, ClientInfo client) {
    return verify(user, pendingHash, LOGIN, assertion, client);
  }

  /** The assertion for a step-up of the session whose cookie hashes to {@code sessionHash}, if it verifies. */
  public Future<Optional<Verified>> verifyForStepUp(UserRow user, byte[] sessionHash, String assertion, ClientInfo client) {
    return verify(user, sessionHash, STEP_UP, assertion, client);
  }

  /** What "This wasn't me" did to the passkeys: how many it removed, how many are left. */
  public record Forgotten(int removed, int left) {
  }

  /**
   * "This wasn't me": forgets the passkeys added after {@code since}, in the caller's transaction (one of the
   * sessions it ends may have been a stranger's, whose passkey would lock the owner out).
   */
  public Future<Forgotten> forgetAddedSince(SqlClient tx, long userId, Instant since) {
    return passkeys.deleteAddedAfter(tx, userId, since)
      .compose(removed -> passkeys.list(tx, userId).map(left -> new Forgotten(removed, left.size())));
  }

  /** Forgets every passkey of the account (2FA turned off by the support desk), in the caller's transaction. */
  public Future<Integer> forgetAll(SqlClient tx, long userId) {
    return passkeys.deleteAddedAfter(tx, userId, Instant.EPOCH)
      .compose(removed -> trust.endAll(tx, userId).map(removed));
  }

  /** Records a verified assertion's counter in the caller's transaction: false when it did not move forward. */
  public Future<Boolean> accept(SqlClient tx, UserRow user, Verified verified) {
    return passkeys.use(tx, user.id(), verified.passkeyId(), verified.signCount(), clock.instant());
  }

  /**
   * Spends the challenge the assertion answers (whatever follows), then lets webauthn4j check it against the
   * account's passkey: signature, RP ID, origin, challenge, counter. A counter that went back is a possible clone:
   * refused, and in Activity.
   */
  private Future<Optional<Verified>> verify(UserRow user, byte[] binding, String purpose, String assertion,
                                            ClientInfo client) {
    Optional<AuthenticationData> parsed = relyingParty.parseAssertion(assertion);
    if (parsed.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    AuthenticationData data = parsed.get();
    byte[] challenge = data.getCollectedClientData().getChallenge().getValue();
    return passkeys.useChallenge(pool, challenge, binding, purpose, user.id(), clock.instant())
      .compose(spent -> !spent ? Future.succeededFuture(Optional.<StoredPasskey>empty())
        : passkeys.findByCredentialId(pool, user.id(), data.getCredentialId()))
      .map(found -> found.flatMap(passkey -> switch (relyingParty.verifyAssertion(data, challenge, passkey)) {
        case VERIFIED -> Optional.of(new Verified(passkey.id(), data.getAuthenticatorData().getSignCount(), passkey.name(),
          RelyingParty.keyBinding(data.getAuthenticatorData())));
        case COUNTER_WENT_BACK -> {
          auditor.recordUnwaited(event(user, SecurityEvent.PASSKEY_CLONE_SUSPECTED, client, passkey.name(), false));
          yield Optional.empty();
        }
        case USER_NOT_VERIFIED, REFUSED -> Optional.empty();
      }));
  }

  private Future<Void> challenge(byte[] challenge, byte[] binding, String purpose, long userId) {
    Instant now = clock.instant();
    return passkeys.createChallenge(pool, challenge, binding, purpose, userId, now, now.plus(CHALLENGE_LIFETIME));
  }

  /**
   * Removes one passkey of the account in the caller's transaction (the support desk): its name and how many are
   * left, or empty when the account has no passkey with this id.
   */
  public Future<Optional<RemovedOne>> forget(SqlClient tx, long userId, String id) {
    Optional<UUID> passkeyId = uuid(id);
    if (passkeyId.isEmpty()) {
      return Future.succeededFuture(Optional.empty());
    }
    return passkeys.list(tx, userId).compose(before -> {
      Optional<StoredPasskey> removed = before.stream().filter(p -> p.id().equals(passkeyId.get())).findFirst();
      return removed.isEmpty() ? Future.succeededFuture(Optional.<RemovedOne>empty())
        : passkeys.delete(tx, userId, passkeyId.get())
          // As when the owner removes one: the account's trusted browsers end and its security hold starts.
          .compose(deleted -> trust.endAll(tx, userId))
          .compose(ended -> users.hold().afterChange(tx, userId))
          .map(held -> Optional.of(new RemovedOne(removed.get().name(), before.size() - 1)));
    });
  }

  /** One passkey removed: its name, and how many the account has left. */
  public record RemovedOne(String name, int left) {
  }

  /** The account's passkeys as the support desk sees them (name, added, last used). */
  public Future<List<PasskeyView>> views(long userId) {
    return passkeys.list(pool, userId).map(list -> list.stream()
      .map(p -> new PasskeyView(p.id().toString(), p.name(), iso(p.createdAt()), p.lastUsedAt() == null ? null : iso(p.lastUsedAt())))
      .toList());
  }

  /**
   * The WebAuthn user handle: stable for the account, not its email nor its row id (the authenticator keeps it
   * and hands it to any site that asks with a discoverable credential of ours).
   */
  static byte[] userHandle(UserRow user) {
    String seed = "twofa.passkey.user-handle:" + user.id() + ":" + user.createdAt();
    return Arrays.copyOf(PasskeyRepository.sha256(seed.getBytes(StandardCharsets.UTF_8)), 32);
  }

  private static SecurityEvent event(UserRow user, String type, ClientInfo client, String name) {
    return event(user, type, client, name, true);
  }

  static SecurityEvent event(UserRow user, String type, ClientInfo client, String name, boolean success) {
    return new SecurityEvent(user.id(), type, success, client, null, Map.of(SecurityEvent.PASSKEY, name), null);
  }

  private static Optional<UUID> uuid(String id) {
    try {
      return id == null ? Optional.empty() : Optional.of(UUID.fromString(id));
    } catch (IllegalArgumentException notOne) {
      return Optional.empty();
    }
  }

  private static String iso(Instant time) {
    return DateTimeFormatter.ISO_INSTANT.format(time.atOffset(ZoneOffset.UTC));
  }
}
