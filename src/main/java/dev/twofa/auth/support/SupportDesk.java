package dev.twofa.auth.support;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.SupportDisable;
import dev.twofa.bus.AuthRequests.SupportLookup;
import dev.twofa.bus.AuthRequests.SupportPasskeyRemove;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.credential.passkey.PasskeyService;
import dev.twofa.auth.account.UserRepository;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.account.Emails;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SignedIn;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.bus.AuditRequests.ActivityQuery;
import dev.twofa.bus.AuthReplies.SupportView;
import dev.twofa.bus.AuthReplies.UserResult;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.auth.support.SupportRequestRepository.SupportRequestRow;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.SupportPolicy;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What support staff may do for a user who lost both the authenticator and the recovery codes: look the
 * account up (with its recent Activity, as staff see it), and turn 2FA off with a recorded reason and identity
 * check. Staff must be signed in with a second factor; changing an account also needs a step-up within the
 * last minutes, is capped per staff member and hour, never touches a staff account (the command line does,
 * recorded), and commits together with its security event or not at all. An account with an open request to
 * turn off 2FA waits out the request's cooling-off (its owner was mailed a link that cancels it) unless the staff
 * member overrides it with a note; disabling 2FA completes the request.
 */
@Door
public final class SupportDesk {
  private static final Logger LOG = LoggerFactory.getLogger(SupportDesk.class);
  private static final int RECENT_EVENTS = 20;
  private final Pool pool;
  private final UserRepository users;
  private final Throttle throttle;
  private final SecondFactor secondFactor;
  private final SessionService sessions;
  private final Auditor auditor;
  private final LoginPolicy policy;
  private final Mailer mailer;
  private final SupportRequestRepository requests;
  private final SupportPolicy support;
  private final Clock clock;
  /** Turning 2FA off removes the passkeys too. */
  private final PasskeyService passkeys;

  public static SupportDesk create(Pool pool, UserRepository users, Throttle throttle, SecondFactor secondFactor,
                                   SessionService sessions, Auditor auditor, LoginPolicy policy, Mailer mailer,
                                   SupportPolicy support, PasskeyService passkeys, Clock clock) {
    return new SupportDesk(pool, users, throttle, secondFactor, sessions, auditor, policy, mailer,
      new SupportRequestRepository(), support, passkeys, clock);
  }

  SupportDesk(Pool pool, UserRepository users, Throttle throttle, SecondFactor secondFactor, SessionService sessions,
              Auditor auditor, LoginPolicy policy, Mailer mailer, SupportRequestRepository requests,
              SupportPolicy support, PasskeyService passkeys, Clock clock) {
    this.passkeys = passkeys;
    this.pool = pool;
    this.users = users;
    this.throttle = throttle;
    this.secondFactor = secondFactor;
    this.sessions = sessions;
    this.auditor = auditor;
    this.policy = policy;
    this.mailer = mailer;
    this.requests = requests;
    this.support = support;
    this.clock = clock;
  }

  public Future<SupportView> lookup(SupportLookup request) {
    return lookup(request.sessionToken(), request.email());
  }

  private Future<SupportView> lookup(String token, String email) {
    return sessions.signedIn(token).compose(SupportDesk::staff).compose(staff -> target(email))
      .compose(user -> auditor.activity(new ActivityQuery(user.id(), RECENT_EVENTS, null, true))
        .compose(page -> requests.open(pool, user.id()).compose(open -> passkeys.views(user.id())
          .map(list -> new SupportView(user.toUser(), page.events(),
            open.map(r -> r.view(clock.instant(), support.coolingOff())).orElse(null), list)))));
  }

  public Future<UserResult> disableTotp(SupportDisable request) {
    return disableTotp(request.sessionToken(), request.email(), request.reason(), request.verification(), request.client(), request.requestId(), request.override());
  }

  /** Removes the secret, the passkeys and every recovery code, ends the user's sessions, and records who and why. */
  private Future<UserResult> disableTotp(String token, String email, String reason, String verification, ClientInfo client,
                                String requestId, String override) {
    return change(token, email, reason, verification, client, requestId, override, new Change(
      SecurityEvent.TWO_FACTOR_DISABLED, Mailer.TWO_FACTOR_DISABLED_BY_SUPPORT, "support.2fa_disabled",
      // A hold after a recent risky change waits too (it may be a stranger's), unless the note overrides it.
      (tx, user, details) -> (details.containsKey("override") ? Future.<Void>succeededFuture()
          : users.hold().refuseDuring(tx, user.id()))
        .compose(free -> users.disableTotp(tx, user.id()))
        // The passkeys go with the app: the owner who lost their devices must not be asked for one.
        .compose(appOff -> passkeys.forgetAll(tx, user.id()).map(removed -> appOff || removed > 0))
        .compose(disabled -> disabled ? secondFactor.forgetRecoveryCodes(tx, user.id()).map(true)
          : BusFailure.<Boolean>fail(ErrorCode.NOT_ENABLED))
        .compose(off -> users.hold().afterSupportReset(tx, user.id()).map(off))));
  }

  public Future<UserResult> removePasskey(SupportPasskeyRemove request) {
    return change(request.sessionToken(), request.email(), request.reason(), request.verification(), request.client(),
      request.requestId(), request.override(), new Change(SecurityEvent.PASSKEY_REMOVED, Mailer.PASSKEY_REMOVED,
        "support.passkey_removed", (tx, user, details) -> passkeys.forget(tx, user.id(), request.passkeyId())
          .compose(removed -> {
            if (removed.isEmpty()) {
              return BusFailure.<Boolean>fail(ErrorCode.NOT_FOUND);
            }
            details.put(SecurityEvent.PASSKEY, removed.get().name());
            // The account's last second factor: 2FA is off, and its recovery codes go, as when its owner removes it.
            boolean off = !user.hasTotp() && removed.get().left() == 0;
            return off ? secondFactor.forgetRecoveryCodes(tx, user.id()).map(true) : Future.succeededFuture(false);
          })));
  }

  /**
   * One change the desk makes to an account's second factors: its writes in the desk's transaction (true when the
   * account's 2FA is off after them, which completes an open request), the event and the mail that report it.
   */
  private record Change(String event, String mail, String logEvent, Writes writes) {
  }

  private interface Writes {
    Future<Boolean> write(SqlClient tx, UserRow user, Map<String, String> details);
  }

  /**
   * The guards of every change the desk makes, in one place: staff signed in with 2FA and stepped up, never a
   * staff account or their own, an account with 2FA on, a reason and how identity was verified, the per-staff
   * hourly cap, an open request's cooling-off (unless overridden with a note); then the change, the user's
   * sessions ended, the event and the mail, in one transaction.
   */
  private Future<UserResult> change(String token, String email, String reason, String verification, ClientInfo client,
                                    String requestId, String override, Change change) {
    String note = override == null ? "" : override.strip();
    if (requestId != null && SupportRequestService.parseId(requestId) == null) {
      return BusFailure.fail(ErrorCode.INVALID_REQUEST);
    }
    return sessions.signedIn(token)
      .compose(session -> staff(session).compose(staff -> sessions.requireStepUp(session).map(staff)))
      .compose(staff -> target(email).compose(user -> {
      if (user.id() == staff.id() || user.support()) {
        return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN,
          "Staff accounts, your own included, are changed from the command line, not the support desk."));
      }
      if (!user.twoFactorEnabled()) {
        return BusFailure.fail(ErrorCode.NOT_ENABLED);
      }
      Map<String, String> details = new HashMap<>(Map.of("reason", reason.strip(), "verification", verification.strip()));
      if (!note.isEmpty()) {
        details.put("override", note);
      }
      Limit resets = new Limit(Throttle.supportResetsKey(staff.id()), policy.supportResetsPerStaff());
      return pool.withTransaction(tx -> throttle.reserve(tx, resets.key(), resets.policy())
          .compose(admitted -> requestToComplete(tx, user, requestId, note))
          .compose(request -> change.writes().write(tx, user, details)
            // 2FA off completes the open request (locked above, so it is still open here).
            .compose(off -> !off || request.isEmpty() ? Future.<Void>succeededFuture()
              : requests.close(tx, request.get().id(), "done", staff.email(), null, clock.instant())
                .onSuccess(closed -> details.put("requestId", String.valueOf(request.get().id()))).<Void>mapEmpty()))
          .compose(closed -> sessions.endOthers(tx, user.id(), null))
          .compose(deleted -> auditor.recordWithin(tx, new SecurityEvent(user.id(), change.event(), true,
            client, staff.email(), Map.copyOf(details), null)))
          // The staff member's address and browser are not the user's business: the mail shows neither.
          .compose(recorded -> mailer.notice(tx, user, change.mail(), ClientInfo.UNKNOWN, null)))
        .compose(done -> {
          mailer.nudge();
          LOG.info("event={} staff_id={} user_id={}", change.logEvent(), staff.id(), user.id());
          return auditor.flush();
        })
        .compose(recorded -> users.findById(pool, user.id()))
        .map(updated -> new UserResult(updated.orElseThrow().toUser()));
    }));
  }

  /**
   * The account's open request, locked for this transaction (the owner's cancel waits for it, then finds it
   * closed). Fails REQUEST_NOT_OPEN when the staff member acts on {@code requestId} and that is no longer the open
   * request (cancelled meanwhile), and COOLING_OFF while the request is younger than the cooling-off, unless
   * {@code note} overrides it. Without an open request, support acts as before (the user came by another way).
   */
  private Future<Optional<SupportRequestRow>> requestToComplete(SqlClient tx, UserRow user, String requestId, String note) {
    return requests.openForUpdate(tx, user.id()).compose(open -> {
      if (requestId != null && open.map(r -> r.id() != SupportRequestService.parseId(requestId)).orElse(true)) {
        return BusFailure.fail(ErrorCode.REQUEST_NOT_OPEN);
      }
      Instant now = clock.instant();
      if (open.isPresent() && note.isEmpty() && now.isBefore(open.get().coolingOffEnds(support.coolingOff()))) {
        return Future.failedFuture(new BusFailure(ErrorCode.COOLING_OFF, "The request is in its cooling-off until "
          + open.get().coolingOffEnds(support.coolingOff()) + "; its owner may still cancel it. Wait, or override with a note."));
      }
      return Future.succeededFuture(open);
    });
  }

  static Future<UserRow> staff(SignedIn session) {
    UserRow user = session.user();
    if (!user.support()) {
      return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN, "Only support staff can use the support desk."));
    }
    if (!user.twoFactorEnabled() || !session.secondFactor()) {
      return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN,
        "Support staff must turn on 2FA and log in with it to use the support desk."));
    }
    return Future.succeededFuture(user);
  }

  private Future<UserRow> target(String email) {
    return users.findByEmail(pool, Emails.canonical(email).orElse(""))
      .compose(user -> user.map(Future::succeededFuture).orElseGet(() -> BusFailure.fail(ErrorCode.USER_NOT_FOUND)));
  }
}
