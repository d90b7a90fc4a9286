package dev.twofa;

import dev.twofa.cli.KeyRotation;
import dev.twofa.cli.OidcClients;
import dev.twofa.cli.SigningKeyCommand;
import dev.twofa.cli.SupportRoles;
import dev.twofa.cluster.EdgeKeys;
import dev.twofa.config.Deployment;
import dev.twofa.config.KeyRing;
import dev.twofa.config.Redacted;
import dev.twofa.config.NodeKeys;
import dev.twofa.config.TwofaConfig;
import dev.twofa.db.EmbeddedDatabase;
import dev.twofa.db.Migrations;
import dev.twofa.tracing.Tracing;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Deque;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Entry point: configuration, the embedded database when none is configured, migrations, then Vert.x (clustered
 * or not). With arguments it runs an operator command instead: {@code migrate}, {@code grant-support EMAIL},
 * {@code revoke-support EMAIL}, {@code rotate-keys}, {@code rotate-signing-keys}, {@code derive-keys}.
 */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  private static final String USAGE =
    "usage: java -jar twofa.jar [migrate | grant-support EMAIL | revoke-support EMAIL | rotate-keys"
      + " | rotate-signing-keys [--publish-hours N] | derive-keys"
      + " | clients add --name NAME --redirect-uri URI... [--post-logout-redirect-uri URI...] [--backchannel-logout-uri URI]"
      + " [--id-token-signed-response-alg RS256|ES256] [--public] [--first-party] [--client-id ID]"
      + " | clients list | clients remove CLIENT_ID | clients rotate-secret CLIENT_ID]";
  /** Run on SIGTERM or exit, last started first: the server drains before its database stops. */
  private static final Deque<Runnable> SHUTDOWN = new ConcurrentLinkedDeque<>();
  /** Exit status when a stop does not finish within its bound. */
  private static final int HALTED = 1;
  /** TWOFA_SHUTDOWN_SECONDS once the configuration is read; until then its default. */
  private static volatile Duration stopWithin = Duration.ofSeconds(20);

  private Main() {
  }

  public static void main(String[] args) {
    Runtime.getRuntime().addShutdownHook(new Thread(Main::shutDown, "twofa-shutdown"));
    try {
      TwofaConfig config = TwofaConfig.fromEnvironment();
      stopWithin = config.deployment().stopWithin();
      if (args.length == 0) {
        serve(config);
      } else {
        System.exit(command(config, args));
      }
    } catch (IllegalArgumentException e) {
      LOG.error("event=config.invalid message={}", Redacted.urlPasswords(e.getMessage()));
      System.exit(2);
    } catch (Exception e) {
      LOG.error("event=startup.failed error={}", Redacted.urlPasswords(e.toString()));
      System.exit(1);
    }
  }

  private static int command(TwofaConfig config, String[] args) throws Exception {
    String name = args[0];
    if (args.length == 2 && (name.equals("grant-support") || name.equals("revoke-support"))) {
      return onDatabase(config, url -> setSupport(url, args[1], name.equals("grant-support")));
    }
    if (args.length == 1 && name.equals("migrate")) {
      // Migrations only, as a one-shot job before the nodes start (compose, Kubernetes): the schema owner's
      // password (TWOFA_DB_MIGRATE_URL) then never sits in a serving node.
      return onDatabase(config, url -> 0);
    }
    if (name.equals("clients") && args.length >= 2) {
      return clients(config, java.util.Arrays.asList(args).subList(1, args.length));
    }
    if (args.length == 1 && name.equals("rotate-keys")) {
      KeyRing ring = ring(config);
      return onDatabase(config, url -> rotateKeys(url, ring));
    }
    if (name.equals("rotate-signing-keys")) {
      java.time.Duration delay = SigningKeyCommand.publishDelay(java.util.Arrays.asList(args).subList(1, args.length));
      KeyRing ring = ring(config);
      return onDatabase(config, url -> {
        System.out.println(SigningKeyCommand.rotate(url, ring, delay, Clock.systemUTC()).encode());
        return 0;
      });
    }
    if (args.length == 1 && name.equals("derive-keys")) {
      // stdout only carries the variables, so `derive-keys > edge.env` gives an edge node its settings.
      System.out.print(EdgeKeys.variables(ring(config)));
      return 0;
    }
    System.err.println(USAGE);
    return 2;
  }

  /** {@code clients add|list|remove}: the applications that log their users in with twofa (OpenID Connect). */
  private static int clients(TwofaConfig config, java.util.List<String> args) throws Exception {
    String action = args.get(0);
    if (action.equals("add")) {
      OidcClients.Registration registration = OidcClients.parse(args.subList(1, args.size()));
      return onDatabase(config, url -> {
        System.out.println(OidcClients.add(url, registration).encode());
        return 0;
      });
    }
    if (action.equals("list") && args.size() == 1) {
      return onDatabase(config, url -> {
        System.out.println(OidcClients.list(url).encodePrettily());
        return 0;
      });
    }
    if (action.equals("remove") && args.size() == 2) {
      return onDatabase(config, url -> {
        if (!OidcClients.remove(url, args.get(1))) {
          System.err.println("No client has the id " + args.get(1));
          return 1;
        }
        System.out.println("Removed the client " + args.get(1) + " and every token it held.");
        return 0;
      });
    }
    if (action.equals("rotate-secret") && args.size() == 2) {
      return onDatabase(config, url -> {
        System.out.println(OidcClients.rotateSecret(url, args.get(1)).encode());
        return 0;
      });
    }
    System.err.println(USAGE);
    return 2;
  }

  private interface DatabaseCommand {
    int run(String dbUrl) throws Exception;
  }

  private static int onDatabase(TwofaConfig config, DatabaseCommand command) throws Exception {
    if (config.dbUrl().isPresent()) {
      migrate(config.migratorUrl().orElseThrow(), config.dbUrl().get());
      return command.run(config.dbUrl().get());
    }
    // A server running on the data folder keeps it: connect to its PostgreSQL (already migrated by it).
    Optional<String> running = EmbeddedDatabase.runningUrl(embeddedDataDir(config));
    if (running.isPresent()) {
      return command.run(running.get());
    }
    try (EmbeddedDatabase db = startEmbedded(config)) {
      migrate(db.url(), db.url());
      return command.run(db.url());
    }
  }

  /** Migrates as the schema owner; the serving role, if another, gets the rows only. Returns the schema version. */
  private static String migrate(String migratorUrl, String runtimeUrl) {
    long started = System.nanoTime();
    String version = Migrations.migrate(migratorUrl, runtimeUrl);
    LOG.info("event=database.migrated version={} ms={}", version, (System.nanoTime() - started) / 1_000_000);
    return version;
  }

  /** The configured ring, or with the embedded database and no key configured, the data folder's key. */
  private static KeyRing ring(TwofaConfig config) throws IOException {
    if (config.keys().ring().isPresent()) {
      return config.keys().ring().get();
    }
    if (config.dbUrl().isEmpty() && config.keys().none()) {
      return KeyRing.of(localKey(config.dataDir()));
    }
    throw new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEYS is required for this command");
  }

  private static int rotateKeys(String dbUrl, KeyRing ring) throws Exception {
    KeyRotation.Outcome outcome = KeyRotation.run(dbUrl, ring);
    System.out.println("Sealed " + outcome.moved() + " accounts' TOTP secrets again under key " + ring.current().hexId() + ".");
    if (outcome.changedMeanwhile() > 0) {
      System.out.println(outcome.changedMeanwhile() + " accounts changed while being read; run rotate-keys again.");
    }
    SigningKeyCommand.Resealed signing = SigningKeyCommand.reseal(dbUrl, ring);
    System.out.println("Sealed " + signing.moved() + " OpenID Connect signing keys again.");
    if (outcome.unreadable() > 0 || signing.unreadable() > 0) {
      System.err.println(outcome.unreadable() + " accounts and " + signing.unreadable()
        + " signing keys hold a secret no key of the ring opens; left as they are.");
      return 1;
    }
    return 0;
  }

  private static int setSupport(String dbUrl, String email, boolean grant) throws Exception {
    if (!SupportRoles.set(dbUrl, email, grant, Clock.systemUTC())) {
      System.err.println("No account has the email address " + email);
      return 1;
    }
    System.out.println((grant ? "Granted" : "Revoked") + " the support role " + (grant ? "to " : "from ") + email
      + (grant ? ". It works once that account has 2FA on and logs in with it." : ".")
      + " Recorded in the account's activity.");
    return 0;
  }

  private static void serve(TwofaConfig configured) throws IOException {
    long started = System.nanoTime();
    if (configured.deployment().runs(Deployment.Role.HTTP)
      && configured.publicUrl().plaintextBeyondLoopback(configured.httpHost())) {
      LOG.warn("event=transport.plaintext host={} public_url={} message=\"cookies are not Secure and there is no HSTS;"
        + " serve users over https and set TWOFA_PUBLIC_URL to it\"", configured.httpHost(), configured.publicUrl());
    }
    TwofaConfig config = configured.deployment().needsDatabase() ? withDatabase(configured) : requireKeys(configured);
    String schemaVersion = null;
    if (config.deployment().needsDatabase()) {
      schemaVersion = migrate(config.migratorUrl().orElseThrow(), config.dbUrl().orElseThrow());
    }
    TwofaConfig ready = config;
    String version = schemaVersion;
    // Runs after the server's own stop (the steps run newest first): the spans of drained requests are exported.
    Tracing tracing = Tracing.from(System.getenv());
    SHUTDOWN.push(tracing::close);
    if (tracing.enabled()) {
      LOG.info("event=tracing.on exporter={}", System.getenv().getOrDefault("OTEL_TRACES_EXPORTER", "otlp"));
    }
    Node.start(config, tracing).onSuccess(node -> {
      MainVerticle main = new MainVerticle(ready, Clock.systemUTC(), version, node.metrics());
      node.vertx().deployVerticle(main)
        .onSuccess(id -> {
          LOG.info("event=server.ready port={} management={}:{} verticles={} clustered={} ms={}", ready.httpPort(),
            ready.management().host(), ready.management().port(), ready.deployment().roles(), node.vertx().isClustered(),
            (System.nanoTime() - started) / 1_000_000);
          // On SIGTERM: stop taking requests, finish those in flight, then leave the cluster.
          SHUTDOWN.push(() -> {
            LOG.info("event=server.stopping");
            main.drain().transform(drained -> node.vertx().close()).await();
          });
        })
        .onFailure(error -> {
          LOG.error("event=server.failed error={}", Redacted.urlPasswords(error.toString()));
          node.vertx().close().onComplete(closed -> System.exit(1));
        });
    }).onFailure(error -> {
      LOG.error("event=cluster.join_failed error={}", Redacted.urlPasswords(error.toString()));
      System.exit(1);
    });
  }

  /** The configured database, or the embedded one (with its key generated once into the data folder). */
  private static TwofaConfig withDatabase(TwofaConfig configured) throws IOException {
    if (configured.dbUrl().isPresent()) {
      return requireKeys(configured);
    }
    EmbeddedDatabase db = startEmbedded(configured);
    SHUTDOWN.push(() -> closeQuietly(db));
    NodeKeys keys = configured.keys().none() ? configured.keys().withRing(KeyRing.of(localKey(configured.dataDir())))
      : configured.keys();
    return requireKeys(configured.withDatabase(db.url(), keys));
  }

  private static EmbeddedDatabase startEmbedded(TwofaConfig config) throws IOException {
    EmbeddedDatabase db;
    try {
      db = EmbeddedDatabase.start(embeddedDataDir(config), config.embeddedDbPort(), true);
    } catch (IOException | IllegalStateException e) {
      throw new IllegalStateException("cannot start the embedded PostgreSQL in " + config.dataDir() + ": "
        + e.getMessage(), e);
    }
    LOG.info("event=database.embedded port={} pid={} data={}", db.port(), db.pid(), embeddedDataDir(config));
    return db;
  }

  private static Path embeddedDataDir(TwofaConfig config) {
    return config.dataDir().resolve("postgres");
  }

  /**
   * Auth opens TOTP secrets and audit signs its receipts, so both need the ring; HTTP needs only the CSRF key (and,
   * clustered, the edge's cluster credentials).
   */
  private static TwofaConfig requireKeys(TwofaConfig config) {
    NodeKeys keys = config.keys();
    if (config.deployment().needsDatabase() && keys.ring().isEmpty()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEYS is required with " + TwofaConfig.PREFIX
        + "DB_URL on a node that runs auth or audit (what derive-keys prints is for HTTP-only nodes)");
    }
    if (config.deployment().runs(Deployment.Role.HTTP) && keys.csrfKey().isEmpty()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEYS or, on an HTTP-only node, " + TwofaConfig.PREFIX
        + "CSRF_KEY is required with " + TwofaConfig.PREFIX + "DB_URL or on an HTTP-only node");
    }
    if (!config.deployment().needsDatabase() && keys.ring().isPresent()) {
      LOG.warn("event=keys.more_than_needed verticles={} message=\"this node holds the secret keys, which open every TOTP"
        + " secret and make it a cluster member, but runs only http; give it what derive-keys prints instead\"",
        config.deployment().roles());
    }
    keys.ring().ifPresent(ring -> LOG.info("event=keys.loaded current={} ring={}", ring.current().hexId(),
      ring.keys().stream().map(KeyRing.Key::hexId).toList()));
    return config;
  }

  /** The key for the embedded database's data, generated once into the data folder (readable by the owner only). */
  private static byte[] localKey(Path dataDir) throws IOException {
    Path file = dataDir.resolve("secret.key");
    if (!Files.exists(file)) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.createDirectories(dataDir);
      // Created owner-only, so it is never readable by others, even for a moment.
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, Base64.getEncoder().encodeToString(key));
    }
    return Base64.getDecoder().decode(Files.readString(file).trim());
  }

  /**
   * The steps, newest first, within TWOFA_SHUTDOWN_SECONDS; past it the JVM halts (no other hook waits for it), so
   * an orchestrator's grace period set above the bound never has to SIGKILL.
   */
  private static void shutDown() {
    if (SHUTDOWN.isEmpty()) {
      return;
    }
    long started = System.nanoTime();
    Duration bound = stopWithin;
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(bound.toMillis());
      } catch (InterruptedException stopped) {
        return;
      }
      LOG.error("event=server.stop_timeout seconds={} message=\"not stopped within TWOFA_SHUTDOWN_SECONDS; halting\"",
        bound.toSeconds());
      Runtime.getRuntime().halt(HALTED);
    }, "twofa-stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    for (Runnable step = SHUTDOWN.pollFirst(); step != null; step = SHUTDOWN.pollFirst()) {
      try {
        step.run();
      } catch (RuntimeException e) {
        LOG.warn("event=shutdown.step_failed error={}", e.toString());
      }
    }
    watchdog.interrupt();
    LOG.info("event=server.stopped ms={}", (System.nanoTime() - started) / 1_000_000);
  }

  private static void closeQuietly(EmbeddedDatabase db) {
    try {
      db.close();
    } catch (IOException e) {
      LOG.warn("event=database.close_failed error={}", e.toString());
    }
  }
}
