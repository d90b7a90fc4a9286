package dev.twofa.auth;

import dev.twofa.auth.account.PhraseSeal;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.notify.MailTransport;
import dev.twofa.auth.notify.SmtpTransport;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.Operation;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.DatabaseFailures;
import dev.twofa.db.SchemaCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import static dev.twofa.bus.Operations.*;

/**
 * Every credential and session decision, answered over the event bus: a table of bus operation → the door of the
 * room that answers it ({@link AuthRooms}). The logic lives in the rooms.
 */
public class AuthVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  private static final long RELAY_EVERY_MS = 5_000;
  private static final long MAIL_EVERY_MS = 10_000;
  private static final long BACKCHANNEL_EVERY_MS = 2_000;
  private final TwofaConfig config;
  private final Clock clock;
  private final String schemaVersion;
  private final MeterRegistry metrics;
  private Pool pool;
  private WorkerExecutor hashWorkers;
  private MailTransport mailTransport;

  public AuthVerticle(TwofaConfig config, Clock clock, String schemaVersion, MeterRegistry metrics) {
    this.config = config;
    this.clock = clock;
    this.schemaVersion = schemaVersion;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, config.dbUrl().orElseThrow(), config.dbPoolSize(), "twofa-auth");
    int hashThreads = Runtime.getRuntime().availableProcessors();
    hashWorkers = vertx.createSharedWorkerExecutor("twofa-password-hashing", hashThreads);
    mailTransport = SmtpTransport.create(vertx, config.mail(), config.dataDir());
    LOG.info("event=mail.configured transport={}", config.mail().smtp().map(Object::toString)
      .orElse("eml folder " + config.dataDir().resolve("mail").toAbsolutePath()));
    AuthRooms rooms = AuthRooms.build(vertx, config, clock, pool,
      BusRequests.sealedBy(vertx, metrics, config.keys().auditKey().orElseThrow()),
      Passwords.create(vertx, hashWorkers, hashThreads, config.passwords(), metrics),
      Mailer.create(pool, mailTransport, config.productName(), config.publicUrl().uri(), clock,
        PhraseSeal.create(config.keys().ring().orElseThrow())));
    startTimers(rooms);
    return rooms.keyRingCheck().oncePerNode(vertx, pool)
      .compose(keysChecked -> rooms.passwords().start())
      .compose(ready -> rooms.oidc().start())
      .compose(ready -> Future.all(operations(rooms)));
  }

  private List<Future<?>> operations(AuthRooms r) {
    return List.of(
      serve(SESSION, r.sessions()::state),
      serve(SIGNUP, r.accounts()::signup),
      serve(LOGIN_PASSWORD, r.logins()::password),
      serve(LOGIN_TOTP, r.logins()::totp),
      serve(LOGIN_RECOVERY, r.logins()::recoveryCode),
      serve(LOGOUT, r.sessions()::logout),
      serve(LOGIN_SUPPORT_FORM, r.sessions()::holdForSupportForm),
      serve(EMAIL_VERIFY, r.accounts()::verifyEmail),
      serve(EMAIL_VERIFICATION_SEND, r.accounts()::sendVerification),
      serve(ACCOUNT, r.accounts()::currentUser),
      serve(PASSWORD_CHANGE, r.accounts()::changePassword),
      serve(PHRASE_SET, r.phrases()::set),
      serve(PHRASE_SHOW, r.phrases()::show),
      serve(ACTIVITY, r.accounts()::activity),
      serve(dev.twofa.bus.Operations.ACTIVITY_DOWNLOAD, r.activityDownloads()::download),
      serve(dev.twofa.bus.Operations.CHECKUP, r.checkup()::state),
      serve(dev.twofa.bus.Operations.CHECKUP_CONFIRM, r.checkup()::confirm),
      serve(dev.twofa.bus.Operations.CHECKUP_DISMISS, r.checkup()::dismiss),
      serve(SESSIONS, r.sessions()::list),
      serve(SESSION_REVOKE, r.sessions()::revoke),
      serve(SESSIONS_REVOKE_OTHERS, r.sessions()::revokeOthers),
      serve(TOTP_SETUP, r.twoFactor()::setup),
      serve(TOTP_ENABLE, r.twoFactor()::enable),
      serve(RECOVERY_CODES_REGENERATE, r.twoFactor()::regenerateRecoveryCodes),
      serve(TOTP_CHANGE_START, r.twoFactor()::changeStart),
      serve(TOTP_CHANGE_CONFIRM, r.twoFactor()::changeConfirm),
      serve(STEP_UP, r.stepUp()::stepUp),
      serve(SUPPORT_LOOKUP, r.support()::lookup),
      serve(SUPPORT_DISABLE_TOTP, r.support()::disableTotp),
      serve(PASSWORD_RESET_REQUEST, r.resets()::request),
      serve(PASSWORD_RESET_COMPLETE, r.resets()::complete),
      serve(SECURE_ACCOUNT, r.resets()::secureAccount),
      serve(SUPPORT_REQUEST_CREATE, r.requests()::ask),
      serve(SUPPORT_REQUEST_CANCEL, r.requests()::cancel),
      serve(SUPPORT_REQUESTS, r.requests()::list),
      serve(SUPPORT_REQUEST_DECLINE, r.requests()::decline),
      serve(OIDC_DISCOVERY, r.oidc()::discovery),
      serve(OIDC_JWKS, r.oidc()::jwks),
      serve(OIDC_AUTHORIZE, r.oidc()::authorize),
      serve(OIDC_RESUME, r.oidc()::resume),
      serve(OIDC_AUTHORIZATION, r.oidc()::authorization),
      serve(OIDC_CONSENT, r.oidc()::consent),
      serve(OIDC_TOKEN, r.oidc()::token),
      serve(OIDC_USERINFO, r.oidc()::userInfo),
      serve(OIDC_REVOKE, r.oidc()::revoke),
      serve(OIDC_INTROSPECT, r.oidc()::introspect),
      serve(OIDC_APPS, r.oidc()::apps),
      serve(OIDC_APP_REMOVE, r.oidc()::removeApp),
      serve(OIDC_END_SESSION, r.oidc()::endSession),
      serve(OIDC_END_SESSION_CONFIRM, r.oidc()::confirmEndSession),
      serve(PASSKEY_REGISTER_OPTIONS, r.passkeys()::registrationOptions),
      serve(PASSKEY_REGISTER, r.passkeys()::register),
      serve(PASSKEYS, r.passkeys()::list),
      serve(PASSKEY_RENAME, r.passkeys()::rename),
      serve(PASSKEY_REMOVE, r.passkeys()::remove),
      serve(LOGIN_PASSKEY_OPTIONS, r.passkeys()::loginOptions),
      serve(LOGIN_PASSKEY, r.logins()::passkey),
      serve(SUPPORT_REMOVE_PASSKEY, r.support()::removePasskey),
      serve(LOGIN_PASSKEY_SIGN_IN_OPTIONS, r.passkeys().signIns()::options),
      serve(LOGIN_PASSKEY_SIGN_IN, r.logins()::passkeySignIn),
      serve(STEP_UP_PASSKEY_OPTIONS, r.passkeys()::stepUpOptions),
      serve(TRUSTED_BROWSERS, r.trustedBrowsers()::list),
      serve(TRUSTED_BROWSER_REMOVE, r.trustedBrowsers()::remove),
      serve(TRUSTED_BROWSERS_REMOVE_ALL, r.trustedBrowsers()::removeAll),
      serve(TWO_FACTOR_REQUIREMENT, r.requirementStatus()::status),
      serve(AUTH_HEALTH, request -> SchemaCheck.check(pool, schemaVersion).recover(BusFailure::unavailable)));
  }

  private void startTimers(AuthRooms r) {
    if (metrics != null) {
      r.mailer().countGivenUp(metrics);
    }
    long purgeEvery = config.purgeEvery().toMillis();
    if (metrics != null) {
      // On the purge timer: a figure for dashboards, a minute old at most.
      var gauges = new dev.twofa.auth.credential.recovery.RecoveryCodeGauges(pool);
      gauges.register(metrics);
      purgeEvery(purgeEvery, "recovery_code_gauges", gauges::refresh);
    }
    purgeEvery(purgeEvery, "sessions", r.sessions()::purge);
    purgeEvery(purgeEvery, "account_links", r.resets()::purge);
    purgeEvery(purgeEvery, "known_devices", r.signIns()::purge);
    purgeEvery(purgeEvery, "mail_outbox", r.mailer()::purgeSent);
    purgeEvery(purgeEvery, "oidc_grants", r.oidc()::purge);
    purgeEvery(purgeEvery, "trusted_browsers", r.trustedBrowsers()::purge);
    purgeEvery(purgeEvery, "two_factor_reminders", r.requirement()::remind);
    // Events left in the outbox (audit was away when they were written) are delivered as soon as it answers.
    vertx.setPeriodic(RELAY_EVERY_MS, tick -> r.auditor().flush());
    // Mails left waiting (SMTP server away, or written by another node) go out on this timer; commits nudge it.
    vertx.setPeriodic(MAIL_EVERY_MS, tick -> r.signIns().mailDueDigests().onComplete(digests -> r.mailer().nudge()));
    // Back-channel logouts queued by any node's session ends (and left by a restart) go out within this.
    vertx.setPeriodic(BACKCHANNEL_EVERY_MS, tick -> r.oidc().deliverLogouts());
  }

  private void purgeEvery(long millis, String table, Supplier<Future<?>> purge) {
    vertx.setPeriodic(millis, tick -> purge.get()
      .onFailure(error -> LOG.warn("event={}.purge_failed error={}", table, error.toString())));
  }

  @Override
  public Future<?> stop() {
    hashWorkers.close();
    return mailTransport.close().transform(closed -> pool.close());
  }

  /**
   * {@link BusRequests#serve}, with PostgreSQL out of reach (stopped, restarting, a connection lost) answered as
   * UNAVAILABLE (503, try again) rather than as a bug; the future completes once the bus knows the address.
   */
  private <Q, R> Future<?> serve(Operation<Q, R> operation, Function<Q, Future<R>> door) {
    return BusRequests.serve(vertx, operation, request -> door.apply(request).recover(error ->
      DatabaseFailures.unreachable(error) ? BusFailure.fail(ErrorCode.UNAVAILABLE) : Future.failedFuture(error))).completion();
  }
}
