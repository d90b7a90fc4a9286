package dev.twofa.auth;

import dev.twofa.bus.AuditClient;
import dev.twofa.bus.BusRequests;
import dev.twofa.bus.ClientInfo;
import dev.twofa.bus.SessionRef;
import dev.twofa.config.ServerKeys;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.Database;
import dev.twofa.db.SchemaCheck;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.time.Clock;
import java.util.List;

import static dev.twofa.bus.Addresses.*;
import static dev.twofa.bus.BusRequests.serve;

/** Every credential decision, answered over the event bus. A thin adapter: the logic lives in the services. */
public class AuthVerticle extends VerticleBase {
  private final TwofaConfig config;
  private final Clock clock;
  private final String schemaVersion;
  private final MeterRegistry metrics;
  private Pool pool;
  private WorkerExecutor hashWorkers;

  public AuthVerticle(TwofaConfig config, Clock clock, String schemaVersion, MeterRegistry metrics) {
    this.config = config;
    this.clock = clock;
    this.schemaVersion = schemaVersion;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    ServerKeys keys = new ServerKeys(config.secretKey().orElseThrow(() -> new IllegalStateException("no secret key")));
    pool = Database.pool(vertx, config.dbUrl().orElseThrow(), config.dbPoolSize(), "twofa-auth");
    // Hashing is CPU-bound: more threads than cores only makes every login wait longer.
    hashWorkers = vertx.createSharedWorkerExecutor("twofa-password-hashing", Runtime.getRuntime().availableProcessors());
    AuthStore store = new AuthStore(pool, new UserRepository(), new RecoveryCodeRepository(),
      new PendingLoginRepository(), new Throttle(pool, clock));
    Passwords passwords = new Passwords(PasswordHasher.create(config.passwords().hasher(), config.passwords()), hashWorkers,
      config.passwords().maxHashesInFlight());
    Auditor auditor = new Auditor(new AuditClient(new BusRequests(vertx, metrics)));
    SecretBox secretBox = new SecretBox(keys.totpSecretKey());
    TotpVerifier verifier = new TotpVerifier(config.totp(), clock);
    RecoveryCodes recoveryCodes = new RecoveryCodes(keys.recoveryCodeKey());
    AccountService accounts = new AccountService(store, passwords, new PasswordStrength(config.passwords()), hashWorkers,
      auditor, config.login(), clock);
    LoginService logins = new LoginService(store, passwords,
      new SecondFactor(store.users(), store.recoveryCodes(), secretBox, verifier, recoveryCodes), auditor, config.login(), clock);
    TwoFactorService twoFactor = new TwoFactorService(store, accounts, secretBox, new TotpKeys(config.totp()), verifier,
      recoveryCodes, auditor);
    SupportDesk support = new SupportDesk(store, auditor);

    return passwords.start().compose(ready -> Future.all(List.of(
      serve(vertx, AUTH_SIGNUP, m -> accounts.signup(m.getString("email"), m.getString("password"), client(m))
        .map(state -> state.toJson())).completion(),
      serve(vertx, AUTH_LOGIN_PASSWORD, m -> logins.password(m.getString("email"), m.getString("password"), client(m))
        .map(state -> state.toJson())).completion(),
      serve(vertx, AUTH_LOGIN_TOTP, m -> logins.totp(m.getString("pendingLoginId"), m.getString("code"), client(m))
        .map(state -> state.toJson())).completion(),
      serve(vertx, AUTH_LOGIN_RECOVERY, m -> logins.recoveryCode(m.getString("pendingLoginId"), m.getString("code"), client(m))
        .map(state -> state.toJson())).completion(),
      serve(vertx, AUTH_SESSION, m -> accounts.currentUser(session(m))).completion(),
      serve(vertx, AUTH_LOGOUT, m -> accounts.logout(session(m), client(m)).map(new JsonObject())).completion(),
      serve(vertx, AUTH_PASSWORD_CHANGE, m -> accounts.changePassword(session(m), m.getString("currentPassword"),
        m.getString("newPassword"), client(m)).map(s -> new JsonObject().put("session", s.toJson()))).completion(),
      serve(vertx, AUTH_TOTP_SETUP, m -> twoFactor.setup(session(m))).completion(),
      serve(vertx, AUTH_TOTP_ENABLE, m -> twoFactor.enable(session(m), m.getString("code"), client(m))).completion(),
      serve(vertx, AUTH_RECOVERY_CODES_REGENERATE, m -> twoFactor.regenerateRecoveryCodes(session(m),
        m.getString("password"), client(m))).completion(),
      serve(vertx, AUTH_SUPPORT_LOOKUP, m -> support.lookup(session(m), m.getString("email"))).completion(),
      serve(vertx, AUTH_SUPPORT_DISABLE_TOTP, m -> support.disableTotp(session(m), m.getString("email"),
        m.getString("reason"), m.getString("verification"), client(m))).completion(),
      serve(vertx, AUTH_HEALTH, m -> SchemaCheck.check(pool, schemaVersion)).completion())));
  }

  @Override
  public Future<?> stop() {
    hashWorkers.close();
    return pool.close();
  }

  private static SessionRef session(JsonObject message) {
    return SessionRef.fromJson(message.getJsonObject("session"));
  }

  private static ClientInfo client(JsonObject message) {
    return ClientInfo.fromJson(message.getJsonObject("client"));
  }
}
