package dev.twofa.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything the server reads from its environment, built once at start-up and validated there,
 * so a typo in a variable stops the process with a clear message instead of surprising later.
 */
public record TwofaConfig(
  String httpHost,
  int httpPort,
  Deployment deployment,
  ClusterPolicy cluster,
  Optional<String> dbUrl,
  /** The schema owner's URL that migrations run with, when the nodes serve with a role that owns nothing. */
  Optional<String> dbMigrateUrl,
  int dbPoolSize,
  Path dataDir,
  int embeddedDbPort,
  NodeKeys keys,
  PublicUrl publicUrl,
  TrustedProxies trustedProxies,
  int ipv6Prefix,
  Duration sessionTimeout,
  Duration sessionMaxAge,
  Duration purgeEvery,
  String productName,
  TotpPolicy totp,
  PasswordPolicy passwords,
  LoginPolicy login,
  MailSettings mail,
  SupportPolicy support,
  /** "This wasn't me" turns off a 2FA turned on or changed this recently (zero: never). */
  Duration secureAccountUndo,
  /** Sensitive changes paused after a risky one (see SecurityHoldPolicy). */
  SecurityHoldPolicy securityHold,
  Management management,
  /** Trusted browsers and the required-2FA rule. */
  TwoFactorRules twoFactorRules,
  /** How long Activity is kept (TWOFA_ACTIVITY_RETENTION_DAYS). */
  ActivityPolicy activity) {

  public static final String PREFIX = "TWOFA_";

  public static TwofaConfig fromEnvironment() {
    return from(System.getenv());
  }

  public static TwofaConfig from(Map<String, String> env) {
    Settings s = new Settings(env);
    Duration passwordWindow = Duration.ofMinutes(s.integer("PASSWORD_WINDOW_MINUTES", 15, 1, 24 * 60));
    s.retired("TRUST_FORWARDED_HEADERS", "TRUSTED_PROXIES");
    s.retired("COOKIE_SECURE", "PUBLIC_URL");
    // Read by logback.xml (dev.twofa.logging.LogFormat), which logs a wrong value as text; checked here to refuse it.
    s.choice("LOG_FORMAT", "text", "text", "json");
    int cores = Runtime.getRuntime().availableProcessors();
    String productName = s.text("PRODUCT_NAME", "cryptact");
    return new TwofaConfig(
      s.text("HTTP_HOST", "0.0.0.0"),
      s.integer("HTTP_PORT", 8080, 0, 65535),
      new Deployment(Deployment.parseRoles(s.text("VERTICLES", "http,auth,audit")),
        s.integer("HTTP_INSTANCES", cores, 1, 256),
        s.integer("AUTH_INSTANCES", 1, 1, 64),
        s.integer("AUDIT_INSTANCES", 1, 1, 64),
        Duration.ofSeconds(s.integer("SHUTDOWN_SECONDS", 20, 1, 3600))),
      new ClusterPolicy(s.bool("CLUSTER", false),
        s.text("CLUSTER_NAME", "twofa"),
        List.of(s.text("CLUSTER_MEMBERS", "").split("\\s*,\\s*")).stream().filter(m -> !m.isBlank()).toList(),
        s.text("CLUSTER_HOST", ""),
        s.integer("CLUSTER_PORT", 7800, 1, 65535),
        s.integer("EVENTBUS_PORT", 0, 0, 65535),
        s.text("CLUSTER_DNS", ""),
        s.text("CLUSTER_DNS_SERVER", "")),
      DatabaseUrlSetting.parse(PREFIX + "DB_URL", s.optional("DB_URL")),
      DatabaseUrlSetting.migrator(PREFIX + "DB_MIGRATE_URL", s.optional("DB_MIGRATE_URL"), s.optional("DB_URL")),
      s.integer("DB_POOL_SIZE", 8, 1, 256),
      Path.of(s.text("DATA_DIR", "./data")),
      s.integer("EMBEDDED_DB_PORT", 0, 0, 65535),
      NodeKeys.from(s),
      PublicUrl.parse(PREFIX + "PUBLIC_URL", s.text("PUBLIC_URL", "http://localhost:8080")),
      TrustedProxies.parse(PREFIX + "TRUSTED_PROXIES", s.text("TRUSTED_PROXIES", "")),
      // Per-address limits count an IPv6 client by this network (a /64 is one home connection).
      s.integer("IPV6_PREFIX", 64, 32, 128),
      Duration.ofMinutes(s.integer("SESSION_TIMEOUT_MINUTES", 30, 1, 24 * 60)),
      // 12 h: NIST SP 800-63B's reauthentication bound at AAL2.
      Duration.ofHours(s.integer("SESSION_MAX_HOURS", 12, 1, 24 * 30)),
      Duration.ofSeconds(s.integer("PURGE_EVERY_SECONDS", 60, 1, 3600)),
      productName,
      new TotpPolicy(
        s.text("TOTP_ISSUER", "pafin Inc."),
        s.text("TOTP_ACCOUNT_NAME", "pafin"),
        s.integer("TOTP_DIGITS", 6, 6, 8),
        s.integer("TOTP_PERIOD_SECONDS", 30, 15, 120),
        s.integer("TOTP_WINDOW_STEPS", 1, 0, 3)),
      new PasswordPolicy(
        s.integer("PASSWORD_MIN_LENGTH", 8, 8, 64),
        s.integer("PASSWORD_MAX_LENGTH", 256, 64, 1024),
        s.integer("ARGON2_MEMORY_KIB", 19456, 8, 4 * 1024 * 1024),
        s.integer("ARGON2_ITERATIONS", 2, 1, 100),
        s.integer("ARGON2_PARALLELISM", 1, 1, 64),
        s.choice("PASSWORD_HASHER", "auto", "auto", "native", "java"),
        // Only a memory cap: waiting hashes hold almost nothing, and at the default cost the wait rule binds first.
        s.integer("HASH_QUEUE", 64 * cores, 1, 10_000),
        s.integer("HASH_MAX_WAIT_MS", 1000, 10, 60_000)),
      new LoginPolicy(
        Duration.ofMinutes(s.integer("PENDING_LOGIN_MINUTES", 5, 1, 60)),
        s.integer("PENDING_LOGIN_MAX_FAILURES", 5, 1, 100),
        new ThrottlePolicy(s.integer("SECOND_FACTOR_MAX_ATTEMPTS", 100, 3, 100000),
          Duration.ofHours(s.integer("SECOND_FACTOR_WINDOW_HOURS", 24, 1, 24 * 30))),
        new ThrottlePolicy(s.integer("PASSWORD_MAX_FAILURES_PER_ACCOUNT_AND_ADDRESS", 10, 3, 100000), passwordWindow),
        new ThrottlePolicy(s.integer("PASSWORD_MAX_FAILURES_PER_ACCOUNT", 100, 10, 1000000),
          Duration.ofHours(s.integer("PASSWORD_ACCOUNT_WINDOW_HOURS", 24, 1, 24 * 30))),
        new ThrottlePolicy(s.integer("PASSWORD_MAX_FAILURES_PER_ADDRESS", 100, 3, 1000000), passwordWindow),
        new ThrottlePolicy(s.integer("PASSWORD_MAX_FAILURES_PER_SESSION", 10, 3, 100000), passwordWindow),
        new ThrottlePolicy(s.integer("LOGINS_PER_ADDRESS_PER_HOUR", 1000, 1, 100_000_000), Duration.ofHours(1)),
        new ThrottlePolicy(s.integer("SIGNUPS_PER_ADDRESS_PER_HOUR", 50, 1, 100_000_000), Duration.ofHours(1)),
        Duration.ofMinutes(s.integer("STEP_UP_MINUTES", 10, 1, 60)),
        new ThrottlePolicy(s.integer("SUPPORT_MAX_RESETS_PER_HOUR", 20, 1, 10000), Duration.ofHours(1)),
        s.integer("MAX_SESSIONS_PER_USER", 50, 1, 10000),
        Duration.ofMinutes(s.integer("SUPPORT_FORM_MINUTES", 15, 1, 60))),
      MailSettings.parse(PREFIX + "SMTP_URL", s.optional("SMTP_URL"), PREFIX + "MAIL_FROM",
        s.text("MAIL_FROM", MailSettings.defaultFrom(productName))),
      new SupportPolicy(Duration.ofHours(s.integer("SUPPORT_COOLING_OFF_HOURS", 24, 0, 24 * 30)),
        SupportPolicy.parseUrl(PREFIX + "SUPPORT_URL", s.optional("SUPPORT_URL"))),
      Duration.ofHours(s.integer("SECURE_ACCOUNT_UNDO_HOURS", 72, 0, 24 * 30)),
      new SecurityHoldPolicy(Duration.ofHours(s.integer("SECURITY_HOLD_HOURS", 24, 0, 24 * 30)),
        Duration.ofHours(s.integer("SUPPORT_RESET_HOLD_HOURS", 48, 0, 24 * 30))),
      Management.from(s, s.text("HTTP_HOST", "0.0.0.0"), s.integer("HTTP_PORT", 8080, 0, 65535)),
      TwoFactorRules.from(s),
      ActivityPolicy.from(s));
  }

  /** The same configuration with a database URL and keys filled in (used once the embedded database is up). */
  public TwofaConfig withDatabase(String url, NodeKeys keys) {
    return new TwofaConfig(httpHost, httpPort, deployment, cluster, Optional.of(url), dbMigrateUrl, dbPoolSize, dataDir,
      embeddedDbPort, keys, publicUrl, trustedProxies, ipv6Prefix, sessionTimeout, sessionMaxAge, purgeEvery,
      productName, totp, passwords, login, mail, support, secureAccountUndo, securityHold, management, twoFactorRules,
      activity);
  }

  /** The URL migrations run with: the schema owner's if configured apart, else the one the node serves with. */
  public Optional<String> migratorUrl() {
    return dbMigrateUrl.or(() -> dbUrl);
  }

  /** Never print the key. */
  @Override
  public String toString() {
    return "TwofaConfig[http=" + httpHost + ":" + httpPort + ", management=" + management.host() + ":"
      + management.port() + ", verticles=" + deployment.roles()
      + ", cluster=" + cluster.enabled() + ", db=" + dbUrl.map(u -> "configured").orElse("embedded in " + dataDir) + "]";
  }
}
