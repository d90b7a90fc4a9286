package dev.twofa.auth.support;

import dev.twofa.auth.Door;
import dev.twofa.bus.AuthRequests.SupportDecline;
import dev.twofa.bus.AuthRequests.SupportRequestList;
import dev.twofa.bus.AuthRequests.LinkToken;
import dev.twofa.bus.AuthRequests.SupportRequest;
import dev.twofa.auth.account.UserRepository;
import io.vertx.sqlclient.Pool;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.SessionTokens;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.auth.support.SupportRequestRepository.SupportRequestRow;
import dev.twofa.auth.throttle.Throttle.Limit;
import dev.twofa.bus.AuthReplies.SupportRequestReceived;
import dev.twofa.bus.AuthReplies.SupportRequests;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.SecurityEvent;
import dev.twofa.config.LoginPolicy;
import dev.twofa.config.SupportPolicy;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * Requests to turn off 2FA, the door to the support desk for someone who lost their authenticator: asked at a
 * login's code step (the password is proven), mailed at once to the verified owner with a link that cancels
 * them, listed for staff, and declined with a reason the owner is mailed. Disabling 2FA, which completes a
 * request, is {@link SupportDesk}'s.
 */
@Door
public final class SupportRequestService {
  private static final Logger LOG = LoggerFactory.getLogger(SupportRequestService.class);
  static final Set<String> REASONS = Set.of("lost_phone", "deleted_app", "lost_recovery_codes", "never_enabled");
  static final Set<String> STATUSES = Set.of("open", "done", "declined", "cancelled");
  static final int CONTACT_MAX = 200;
  static final int MESSAGE_MAX = 2000;
  static final int REASON_MAX = 1000;
  /** Requests one account may make a day, whatever became of them: each one mails the owner. */
  static final int PER_ACCOUNT_PER_DAY = 3;
  private static final Duration DAY = Duration.ofDays(1);
  private final Pool pool;
  private final UserRepository users;
  private final Throttle throttle;
  private final SupportRequestRepository requests;
  private final SessionService sessions;
  private final Auditor auditor;
  private final Mailer mailer;
  private final LoginPolicy login;
  private final SupportPolicy policy;
  private final Clock clock;

  public static SupportRequestService create(Pool pool, UserRepository users, Throttle throttle,
                                             SessionService sessions, Auditor auditor, Mailer mailer,
                                             LoginPolicy login, SupportPolicy policy, Clock clock) {
    return new SupportRequestService(pool, users, throttle, new SupportRequestRepository(), sessions, auditor, mailer,
      login, policy, clock);
  }

  SupportRequestService(Pool pool, UserRepository users, Throttle throttle, SupportRequestRepository requests,
                        SessionService sessions, Auditor auditor, Mailer mailer, LoginPolicy login,
                        SupportPolicy policy, Clock clock) {
    this.pool = pool;
    this.users = users;
    this.throttle = throttle;
    this.requests = requests;
    this.sessions = sessions;
    this.auditor = auditor;
    this.mailer = mailer;
    this.login = login;
    this.policy = policy;
    this.clock = clock;
  }

  public Future<SupportRequestReceived> ask(SupportRequest request) {
    return ask(request.sessionToken(), request.reason(), request.contact(), request.message(), request.client());
  }

  /**
   * Opens a request for the account of the pending login {@code pendingToken}. Only a pending login may ask: it
   * has proven the password but not a second factor, which is the case support exists for. A signed-in session
   * holds a working factor (or used a recovery code) and changes its authenticator app itself; letting it ask
   * would only let a stolen session strip the account's 2FA.
   */
  private Future<SupportRequestReceived> ask(String pendingToken, String reason, String contact, String message, ClientInfo client) {
    String cleanContact = contact == null ? "" : contact.strip();
    String cleanMessage = message == null ? "" : message.strip();
    if (!REASONS.contains(reason) || cleanContact.isEmpty() || cleanContact.length() > CONTACT_MAX
      || cleanMessage.length() > MESSAGE_MAX) {
      return BusFailure.fail(ErrorCode.INVALID_REQUEST);
    }
    if (pendingToken == null || pendingToken.isEmpty()) {
      return BusFailure.fail(ErrorCode.NO_PENDING_LOGIN);
    }
    byte[] pending = SessionTokens.hash(pendingToken);
    Instant now = clock.instant();
    return users.findByPendingLogin(pool, pending, now.minus(login.pendingLoginTtl()))
      .compose(found -> found.filter(p -> p.user().twoFactorEnabled()).map(p -> Future.succeededFuture(p.user()))
        .orElseGet(() -> sessions.dropIfExpired(pending).compose(dropped -> BusFailure.fail(ErrorCode.NO_PENDING_LOGIN))))
      .compose(user -> withinDailyCap(user, now).map(user))
      .compose(user -> {
        String token = SessionTokens.newToken();
        Instant replyAfter = now.plus(policy.coolingOff());
        return pool.withTransaction(tx -> requests.insert(tx, user.id(), reason, cleanContact, cleanMessage,
              SessionTokens.hash(token), now)
            .compose(id -> auditor.recordWithin(tx, new SecurityEvent(user.id(), SecurityEvent.SUPPORT_REQUESTED, true,
                client, null, Map.of("requestId", String.valueOf(id), "reason", reason), null))
              .compose(recorded -> mailer.supportRequested(tx, user, client, token, reason, replyAfter))
              .map(id)))
          .compose(id -> {
            LOG.info("event=support.requested user_id={} request_id={} reason={}", user.id(), id, reason);
            mailer.nudge();
            return auditor.flush();
          })
          .map(flushed -> new SupportRequestReceived(now.toString(), replyAfter.toString(), policy.coolingOff().toHours()));
      });
  }

  /** Each request mails the owner: a password thief must not be able to flood their inbox by asking again and again. */
  private Future<Void> withinDailyCap(UserRow user, Instant now) {
    return requests.countSince(pool, user.id(), now.minus(DAY)).compose(count -> count < PER_ACCOUNT_PER_DAY
      ? Future.succeededFuture()
      : requests.oldestSince(pool, user.id(), now.minus(DAY)).compose(oldest -> Future.failedFuture(
          BusFailure.rateLimited(oldest.map(o -> Duration.between(now, o.plus(DAY)).toSeconds()).orElse(DAY.toSeconds())))));
  }

  public Future<Void> cancel(LinkToken request) {
    return cancel(request.token(), request.client());
  }

  /** The owner's "This wasn't me: cancel it" link: works once, and only while the request is open. */
  private Future<Void> cancel(String linkToken, ClientInfo client) {
    return pool.withTransaction(tx -> requests.cancel(tx, SessionTokens.hash(linkToken), clock.instant())
        .compose(cancelled -> cancelled.isEmpty() ? BusFailure.<SupportRequestRow>fail(ErrorCode.INVALID_TOKEN)
          : auditor.recordWithin(tx, new SecurityEvent(cancelled.get().userId(), SecurityEvent.SUPPORT_CANCELLED, true,
              client, null, Map.of("requestId", String.valueOf(cancelled.get().id())), null)).map(cancelled.get())))
      .compose(cancelled -> {
        LOG.info("event=support.cancelled user_id={} request_id={}", cancelled.userId(), cancelled.id());
        return auditor.flush();
      });
  }

  public Future<SupportRequests> list(SupportRequestList request) {
    return list(request.sessionToken(), request.status());
  }

  /** The desk's list of requests with {@code status}; staff only (signed in with 2FA). */
  private Future<SupportRequests> list(String token, String status) {
    if (!STATUSES.contains(status)) {
      return BusFailure.fail(ErrorCode.INVALID_REQUEST);
    }
    return sessions.signedIn(token).compose(SupportDesk::staff)
      .compose(staff -> requests.list(pool, status))
      .map(rows -> new SupportRequests(rows.stream().map(r -> r.view(clock.instant(), policy.coolingOff())).toList()));
  }

  public Future<Void> decline(SupportDecline request) {
    return decline(request.sessionToken(), request.id(), request.reason(), request.client());
  }

  /**
   * Declines an open request, mailing its owner {@code reason}. Like every change at the desk: a recent step-up,
   * never on a staff account or one's own, capped per staff member and hour, committed with its event.
   */
  private Future<Void> decline(String token, String id, String reason, ClientInfo client) {
    String why = reason == null ? "" : reason.strip();
    Long requestId = parseId(id);
    if (why.isEmpty() || why.length() > REASON_MAX || requestId == null) {
      return BusFailure.fail(ErrorCode.INVALID_REQUEST);
    }
    return sessions.signedIn(token)
      .compose(session -> SupportDesk.staff(session).compose(staff -> sessions.requireStepUp(session).map(staff)))
      .compose(staff -> requests.find(pool, requestId)
        .compose(found -> found.map(Future::succeededFuture).orElseGet(() -> BusFailure.fail(ErrorCode.NOT_FOUND)))
        .compose(request -> users.findById(pool, request.userId()).map(user -> user.orElseThrow()))
        .compose(user -> {
          if (user.id() == staff.id() || user.support()) {
            return Future.failedFuture(new BusFailure(ErrorCode.FORBIDDEN,
              "Staff accounts, your own included, are changed from the command line, not the support desk."));
          }
          Limit declines = new Limit(Throttle.supportDeclinesKey(staff.id()), login.supportResetsPerStaff());
          SecurityEvent event = new SecurityEvent(user.id(), SecurityEvent.SUPPORT_DECLINED, true, client, staff.email(),
            Map.of("requestId", String.valueOf(requestId), "reason", why), null);
          return pool.withTransaction(tx -> throttle.reserve(tx, declines.key(), declines.policy())
              .compose(admitted -> requests.close(tx, requestId, "declined", staff.email(), why, clock.instant()))
              .compose(closed -> closed ? auditor.recordWithin(tx, event) : BusFailure.fail(ErrorCode.REQUEST_NOT_OPEN))
              .compose(recorded -> mailer.supportDeclined(tx, user, why)))
            .compose(done -> {
              LOG.info("event=support.declined staff_id={} user_id={} request_id={}", staff.id(), user.id(), requestId);
              mailer.nudge();
              return auditor.flush();
            });
        }));
  }

  static Long parseId(String id) {
    return id != null && id.matches("[0-9]{1,18}") ? Long.valueOf(id) : null;
  }
}
