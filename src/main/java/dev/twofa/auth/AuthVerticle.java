package dev.twofa.auth;

import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.credential.SecondFactor;
import dev.twofa.auth.credential.password.HashAdmission;
import dev.twofa.auth.credential.password.PasswordHasher;
import dev.twofa.auth.credential.password.PasswordStrength;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.auth.credential.password.RefusalTarpit;
import dev.twofa.auth.credential.recovery.RecoveryCodeRepository;
import dev.twofa.auth.credential.recovery.RecoveryCodes;
import dev.twofa.auth.credential.totp.SecretBox;
import dev.twofa.auth.credential.totp.TotpKeys;
import dev.twofa.auth.credential.totp.TotpVerifier;
import dev.twofa.auth.credential.totp.TwoFactorService;
import dev.twofa.auth.events.Auditor;
import dev.twofa.auth.events.EventOutbox;
import dev.twofa.auth.links.AccountLinkRepository;
import dev.twofa.auth.links.EmailVerificationRepository;
import dev.twofa.auth.links.PasswordResetService;
import dev.twofa.auth.login.LoginService;
import dev.twofa.auth.login.PasswordStepRepository;
import dev.twofa.auth.login.PendingLoginRepository;
import dev.twofa.auth.login.SecondStepRepository;
import dev.twofa.auth.notify.KnownDeviceRepository;
import dev.twofa.auth.notify.MailComposer;
import dev.twofa.auth.notify.MailOutbox;
import dev.twofa.auth.notify.MailTransport;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.notify.SignInNotices;
import dev.twofa.auth.notify.SmtpTransport;
import dev.twofa.auth.session.SessionRepository;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.StepUpService;
import dev.twofa.auth.support.SupportDesk;
import dev.twofa.auth.support.SupportRequestRepository;
import dev.twofa.auth.support.SupportRequestService;
import dev.twofa.auth.throttle.Throttle;

import dev.twofa.bus.BusFailure;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ErrorCode;
import dev.twofa.bus.Operation;
import dev.twofa.config.KeyRing;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.DatabaseFailures;
import dev.twofa.db.SchemaCheck;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;

import static dev.twofa.bus.Operations.*;

/** Every credential and session decision, answered over the event bus. A thin adapter: the logic lives in the services. */
public class AuthVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AuthVerticle.class);
  /** Stands until the decoy hash at start is timed: a guess on the slow side, so the first burst is not over-admitted. */
  private static final Duration FIRST_HASH_ESTIMATE = Duration.ofMillis(100);
  /** A refusal for a client that did not wait out its Retry-After is held this long; at most this many at once. */
  private static final Duration TARPIT_HOLD = Duration.ofSeconds(1);
  private static final int TARPIT_MAX_HELD = 4096;
  private static final long RELAY_EVERY_MS = 5_000;
  private static final long MAIL_EVERY_MS = 10_000;
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
    KeyRing keys = config.keys().ring().orElseThrow(() -> new IllegalStateException("no secret keys"));
    pool = Database.pool(vertx, config.dbUrl().orElseThrow(), config.dbPoolSize(), "twofa-auth");
    // Hashing is CPU-bound: more threads than cores only makes every login wait longer.
    int hashThreads = Runtime.getRuntime().availableProcessors();
    hashWorkers = vertx.createSharedWorkerExecutor("twofa-password-hashing", hashThreads);
    // One admission per node, like the pool it guards, however many auth instances share it.
    HashAdmission admission = vertx.sharedData().<String, HashAdmission>getLocalMap("twofa-password-hashing")
      .computeIfAbsent("admission", name -> new HashAdmission(hashThreads,
        Duration.ofMillis(config.passwords().maxHashWaitMs()), config.passwords().maxHashesInFlight(), FIRST_HASH_ESTIMATE));
    // Counted where admission decides, so each node's /metrics shows why it refused (twofa_hash_refusals_total).
    for (String reason : HashAdmission.REASONS) {
      FunctionCounter.builder("twofa.hash.refusals", admission, a -> a.refusals(reason))
        .description("Password hashes refused at admission, by reason").tag("reason", reason).register(metrics);
    }
    AuthStore store = new AuthStore(pool, new UserRepository(), new RecoveryCodeRepository(),
      new PendingLoginRepository(), new SessionRepository(), new Throttle(pool, clock), new SecondStepRepository(),
      new PasswordStepRepository());
    Timer queueWait = Timer.builder("twofa.hash.queue.wait")
      .description("How long admitted password hashes waited for a hashing thread").publishPercentiles(0.5, 0.99)
      .register(metrics);
    RefusalTarpit tarpit = vertx.sharedData().<String, RefusalTarpit>getLocalMap("twofa-password-hashing")
      .computeIfAbsent("tarpit", name -> new RefusalTarpit(vertx, TARPIT_HOLD, TARPIT_MAX_HELD));
    Passwords passwords = new Passwords(PasswordHasher.create(config.passwords().hasher(), config.passwords()), hashWorkers,
      admission, queueWait, tarpit);
    BusRequests bus = new BusRequests(vertx, metrics);
    EventOutbox outbox = new EventOutbox(vertx, pool, bus);
    Auditor auditor = new Auditor(bus, outbox, pool);
    mailTransport = SmtpTransport.create(vertx, config.mail(), config.dataDir());
    MailOutbox mails = new MailOutbox(pool, mailTransport, clock);
    LOG.info("event=mail.configured transport={}", config.mail().smtp().map(Object::toString)
      .orElse("eml folder " + config.dataDir().resolve("mail").toAbsolutePath()));
    SecretBox secretBox = new SecretBox(keys);
    TotpVerifier verifier = new TotpVerifier(config.totp(), clock);
    RecoveryCodes recoveryCodes = new RecoveryCodes(keys);
    AccountLinkRepository links = new AccountLinkRepository();
    Mailer mailer = new Mailer(mails, new MailComposer(config.productName(), config.publicUrl().uri()),
      new EmailVerificationRepository(), links, clock);
    SignInNotices signIns = new SignInNotices(store, new KnownDeviceRepository(), auditor, mailer, clock);
    SessionService sessions = new SessionService(store, auditor, signIns, config.login(), config.sessionTimeout(),
      config.sessionMaxAge(), clock);
    AccountService accounts = new AccountService(store, sessions, passwords, new PasswordStrength(config.passwords()),
      auditor, config.login(), mailer, signIns, clock);
    SecondFactor secondFactor = new SecondFactor(store.users(), store.recoveryCodes(), secretBox, verifier, recoveryCodes);
    LoginService logins = new LoginService(store, sessions, passwords, secondFactor, auditor, config.login(), mailer,
      signIns, clock);
    StepUpService stepUp = new StepUpService(store, sessions, accounts, secondFactor, auditor, config.login(), clock);
    TwoFactorService twoFactor = new TwoFactorService(store, sessions, accounts, secretBox, new TotpKeys(config.totp()),
      verifier, recoveryCodes, auditor, mailer, clock);
    PasswordResetService resets = new PasswordResetService(store, links, accounts, auditor, mailer, clock);
    SupportRequestRepository supportRequests = new SupportRequestRepository();
    SupportDesk support = new SupportDesk(store, sessions, auditor, config.login(), mailer, supportRequests,
      config.support(), clock);
    SupportRequestService requests = new SupportRequestService(store, supportRequests, sessions, auditor, mailer,
      config.login(), config.support(), clock);
    long purgeEvery = config.purgeEvery().toMillis();
    vertx.setPeriodic(purgeEvery, tick -> sessions.purge()
      .onFailure(error -> LOG.warn("event=sessions.purge_failed error={}", error.toString())));
    vertx.setPeriodic(purgeEvery, tick -> resets.purge()
      .onFailure(error -> LOG.warn("event=account_links.purge_failed error={}", error.toString())));
    vertx.setPeriodic(purgeEvery, tick -> signIns.purge()
      .onFailure(error -> LOG.warn("event=known_devices.purge_failed error={}", error.toString())));
    vertx.setPeriodic(purgeEvery, tick -> mails.purgeSent()
      .onFailure(error -> LOG.warn("event=mail_outbox.purge_failed error={}", error.toString())));
    // Events left in the outbox (audit was away when they were written) are delivered as soon as it answers.
    vertx.setPeriodic(RELAY_EVERY_MS, tick -> auditor.flush());
    // Mails left waiting (SMTP server away, or written by another node) go out on this timer; commits nudge it.
    vertx.setPeriodic(MAIL_EVERY_MS, tick -> mails.nudge());

    return passwords.start().compose(ready -> Future.all(List.of(
      serve(vertx, SESSION, m -> sessions.state(m.sessionToken())).completion(),
      serve(vertx, SIGNUP, m -> accounts.signup(m.sessionToken(), m.email(), m.password(),
        m.language(), m.client())).completion(),
      serve(vertx, LOGIN_PASSWORD, m -> logins.password(m.sessionToken(), m.email(), m.password(), m.client())).completion(),
      serve(vertx, LOGIN_TOTP, m -> logins.totp(m.sessionToken(), m.code(), m.client())).completion(),
      serve(vertx, LOGIN_RECOVERY, m -> logins.recoveryCode(m.sessionToken(), m.code(), m.client())).completion(),
      serve(vertx, LOGOUT, m -> sessions.logout(m.sessionToken(), m.client())).completion(),
      serve(vertx, EMAIL_VERIFY, m -> accounts.verifyEmail(m.token(), m.client())).completion(),
      serve(vertx, EMAIL_VERIFICATION_SEND, m -> accounts.sendVerification(m.sessionToken(), m.client())).completion(),
      serve(vertx, ACCOUNT, m -> accounts.currentUser(m.sessionToken())).completion(),
      serve(vertx, PASSWORD_CHANGE, m -> accounts.changePassword(m.sessionToken(), m.currentPassword(),
        m.newPassword(), m.client())).completion(),
      serve(vertx, ACTIVITY, m -> accounts.activity(m.sessionToken(), m.limit(), m.before())).completion(),
      serve(vertx, SESSIONS, m -> sessions.list(m.sessionToken())).completion(),
      serve(vertx, SESSION_REVOKE, m -> sessions.revoke(m.sessionToken(), m.id(), m.client())).completion(),
      serve(vertx, SESSIONS_REVOKE_OTHERS, m -> sessions.revokeOthers(m.sessionToken(), m.client())).completion(),
      serve(vertx, TOTP_SETUP, m -> twoFactor.setup(m.sessionToken())).completion(),
      serve(vertx, TOTP_ENABLE, m -> twoFactor.enable(m.sessionToken(), m.code(), m.client())).completion(),
      serve(vertx, RECOVERY_CODES_REGENERATE, m -> twoFactor.regenerateRecoveryCodes(m.sessionToken(), m.client())).completion(),
      serve(vertx, TOTP_CHANGE_START, m -> twoFactor.changeStart(m.sessionToken())).completion(),
      serve(vertx, TOTP_CHANGE_CONFIRM, m -> twoFactor.changeConfirm(m.sessionToken(), m.code(), m.client())).completion(),
      serve(vertx, STEP_UP, m -> stepUp.stepUp(m.sessionToken(), m.password(), m.code(), m.recoveryCode(), m.client()))
        .completion(),
      serve(vertx, SUPPORT_LOOKUP, m -> support.lookup(m.sessionToken(), m.email())).completion(),
      serve(vertx, SUPPORT_DISABLE_TOTP, m -> support.disableTotp(m.sessionToken(), m.email(), m.reason(),
        m.verification(), m.client(), m.requestId(), m.override())).completion(),
      serve(vertx, PASSWORD_RESET_REQUEST, m -> resets.request(m.email(), m.client())).completion(),
      serve(vertx, PASSWORD_RESET_COMPLETE, m -> resets.complete(m.token(), m.newPassword(), m.client())).completion(),
      serve(vertx, SECURE_ACCOUNT, m -> resets.secureAccount(m.token(), m.client())).completion(),
      serve(vertx, SUPPORT_REQUEST_CREATE, m -> requests.ask(m.sessionToken(), m.reason(), m.contact(), m.message(),
        m.client())).completion(),
      serve(vertx, SUPPORT_REQUEST_CANCEL, m -> requests.cancel(m.token(), m.client())).completion(),
      serve(vertx, SUPPORT_REQUESTS, m -> requests.list(m.sessionToken(), m.status())).completion(),
      serve(vertx, SUPPORT_REQUEST_DECLINE, m -> requests.decline(m.sessionToken(), m.id(), m.reason(), m.client()))
        .completion(),
      serve(vertx, AUTH_HEALTH, m -> SchemaCheck.check(pool, schemaVersion).recover(BusFailure::unavailable)).completion())));
  }

  @Override
  public Future<?> stop() {
    hashWorkers.close();
    return mailTransport.close().transform(closed -> pool.close());
  }

  /**
   * {@link BusRequests#serve}, with PostgreSQL out of reach (stopped, restarting, a connection lost) answered as
   * UNAVAILABLE (503, try again) rather than as a bug.
   */
  private static <Q, R> MessageConsumer<Q> serve(Vertx vertx, Operation<Q, R> operation, Function<Q, Future<R>> handler) {
    return BusRequests.serve(vertx, operation, request -> handler.apply(request).recover(error ->
      DatabaseFailures.unreachable(error) ? BusFailure.fail(ErrorCode.UNAVAILABLE) : Future.failedFuture(error)));
  }
}
