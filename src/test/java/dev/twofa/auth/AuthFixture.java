package dev.twofa.auth;

import dev.twofa.bus.AuthRequests;
import dev.twofa.auth.account.AccountService;
import dev.twofa.auth.account.UserRepository;
import dev.twofa.auth.account.UserRow;
import dev.twofa.auth.credential.password.Passwords;
import dev.twofa.auth.credential.totp.TwoFactorService;
import dev.twofa.auth.login.LoginService;
import dev.twofa.auth.notify.Mail;
import dev.twofa.auth.notify.MailTransport;
import dev.twofa.auth.notify.Mailer;
import dev.twofa.auth.session.SessionService;
import dev.twofa.auth.session.StepUpService;
import dev.twofa.auth.throttle.Throttle;
import dev.twofa.bus.AuthReplies.EnrollmentOutcome;
import dev.twofa.bus.AuthReplies.LoginOutcome;
import dev.twofa.bus.BusFailure;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.config.TwofaConfig;
import dev.twofa.support.MutableClock;
import dev.twofa.support.TempDirs;
import dev.twofa.support.Totp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import io.vertx.sqlclient.Row;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The auth rooms wired as {@link AuthRooms} wires them for the verticle, on a fresh migrated database and a
 * {@link MutableClock}, with no bus consumers and no HTTP: the doors are called as Java methods. Events stay in
 * event_outbox (no audit verticle takes them) and mail goes nowhere. One per test class; each test makes its own
 * accounts, each from a client address of its own, so no test meets another's throttle budgets.
 */
public final class AuthFixture implements AutoCloseable {
  /** A time in the middle of a 30 s TOTP step, so step arithmetic in tests is unambiguous. */
  public static final Instant START = Instant.parse("2026-03-01T12:00:15Z");
  public static final String PASSWORD = "plum-violet-harbor-1987";
  private static final AtomicInteger ADDRESSES = new AtomicInteger();
  private final MigratedDatabase db;
  private final MutableClock clock;
  private final TwofaConfig config;
  private final AuthRooms rooms;
  private final WorkerExecutor hashing;

  /** An account and the session its sign-up opened. */
  public record SignedUp(UserRow user, String sessionToken, ClientInfo client) {
    public String email() {
      return user.email();
    }
  }

  /** An account with 2FA on: its authenticator's base32 secret and its first recovery codes. */
  public record Enrolled(UserRow user, String secret, List<String> recoveryCodes, String sessionToken,
                         ClientInfo client) {
    public String email() {
      return user.email();
    }
  }

  private AuthFixture(MigratedDatabase db, MutableClock clock, TwofaConfig config, AuthRooms rooms,
                      WorkerExecutor hashing) {
    this.db = db;
    this.clock = clock;
    this.config = config;
    this.rooms = rooms;
    this.hashing = hashing;
  }

  /** The rooms under the default settings, but cheap password hashing. */
  public static AuthFixture start() {
    return start(Map.of());
  }

  /** The rooms under {@code settings} (TWOFA_... variables, as the server reads them) on top of the defaults. */
  public static AuthFixture start(Map<String, String> settings) {
    MigratedDatabase db = MigratedDatabase.start(8);
    Map<String, String> env = new HashMap<>();
    // Cheap hashing keeps these tests fast; the production costs are PasswordsTest's business.
    env.put("TWOFA_ARGON2_MEMORY_KIB", "1024");
    env.put("TWOFA_ARGON2_ITERATIONS", "1");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    env.put("TWOFA_SECRET_KEY", Base64.getEncoder().encodeToString(key));
    env.put("TWOFA_DATA_DIR", TempDirs.create("twofa-auth-fixture").toString());
    env.put("TWOFA_DB_URL", db.url());
    env.putAll(settings);
    TwofaConfig config = TwofaConfig.from(env);
    MutableClock clock = new MutableClock(START);
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    WorkerExecutor hashing = db.vertx().createSharedWorkerExecutor("twofa-fixture-hashing-" + UUID.randomUUID(), 2);
    Passwords passwords = Passwords.create(db.vertx(), hashing, 2, config.passwords(), metrics);
    Mailer mailer = Mailer.create(db.pool(), new NoMail(), config.productName(), config.publicUrl().uri(), clock);
    AuthRooms rooms = AuthRooms.build(db.vertx(), config, clock, db.pool(), new BusRequests(db.vertx(), metrics),
      passwords, mailer);
    await(passwords.start());
    return new AuthFixture(db, clock, config, rooms, hashing);
  }

  public MutableClock clock() {
    return clock;
  }

  public TwofaConfig config() {
    return config;
  }

  public MigratedDatabase db() {
    return db;
  }

  public SessionService sessions() {
    return rooms.sessions();
  }

  public LoginService logins() {
    return rooms.logins();
  }

  public AccountService accounts() {
    return rooms.accounts();
  }

  public TwoFactorService twoFactor() {
    return rooms.twoFactor();
  }

  public StepUpService stepUp() {
    return rooms.stepUp();
  }

  /** A Throttle on the same pool and clock as the rooms' (it keeps no state of its own). */
  public Throttle throttle() {
    return new Throttle(db.pool(), clock);
  }

  /** A client address no other caller of this method gets, so budgets per address start empty. */
  public static ClientInfo newClient() {
    int n = ADDRESSES.incrementAndGet();
    return new ClientInfo("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255), "fixture/" + n);
  }

  public static String uniqueEmail() {
    return "user-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
  }

  /** Signs up a new account (password only) from a client address of its own. */
  public SignedUp signedUp() {
    ClientInfo client = newClient();
    LoginOutcome outcome = await(accounts().signup(new AuthRequests.Signup(null, uniqueEmail(), PASSWORD, "en", null, client)));
    return new SignedUp(user(outcome.session().user().email()), outcome.sessionToken(), client);
  }

  /** Signs up, sets up and enables 2FA; the clock then moves to the next TOTP step, so the app's code is fresh. */
  public Enrolled enrolled() {
    SignedUp account = signedUp();
    String secret = await(twoFactor().setup(new AuthRequests.Session(account.sessionToken(), account.client()))).secret();
    EnrollmentOutcome enabled = await(twoFactor().enable(new AuthRequests.Code(account.sessionToken(),
      Totp.code(secret, clock.instant()), account.client())));
    nextStep();
    return new Enrolled(user(account.email()), secret, enabled.enrollment().recoveryCodes(), enabled.sessionToken(),
      account.client());
  }

  /** The user as stored now. */
  public UserRow user(String email) {
    return await(new UserRepository().findByEmail(db.pool(), email)).orElseThrow();
  }

  /** The code the account's authenticator app shows now. */
  public String currentCode(Enrolled account) {
    return Totp.code(account.secret(), clock.instant());
  }

  /** A code the app does not show now (nor in the neighbouring steps, which the verifier also accepts). */
  public String wrongCode(Enrolled account) {
    List<String> near = List.of(Totp.code(account.secret(), clock.instant().minusSeconds(30)), currentCode(account),
      Totp.code(account.secret(), clock.instant().plusSeconds(30)));
    return Stream.of("000000", "111111", "222222", "333333").filter(c -> !near.contains(c))
      .findFirst().orElseThrow();
  }

  public void nextStep() {
    clock.advance(Duration.ofSeconds(30));
  }

  public List<Row> query(String sql, Object... params) {
    return db.query(sql, params);
  }

  public int count(String sql, Object... params) {
    return db.count(sql, params);
  }

  /** The types of the events waiting in the outbox for {@code userId}, oldest first. */
  public List<String> eventTypes(long userId) {
    return query("SELECT event->>'type' AS type FROM event_outbox WHERE (event->>'userId')::bigint = $1 ORDER BY id",
      userId).stream().map(row -> row.getString("type")).toList();
  }

  public static <T> T await(Future<T> future) {
    return MigratedDatabase.await(future);
  }

  /** The failure {@code future} ends with, which must be a {@link BusFailure}. */
  public static BusFailure failure(Future<?> future) {
    try {
      Object value = await(future);
      throw new AssertionError("expected a failure, got " + value);
    } catch (BusFailure failure) {
      return failure;
    }
  }

  @Override
  public void close() {
    await(hashing.close());
    db.close();
  }

  /** Mail is accepted and dropped: what these tests check is in the tables (mail_outbox), not in a mailbox. */
  private static final class NoMail implements MailTransport {
    @Override
    public Future<Void> send(Mail mail) {
      return Future.succeededFuture();
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
