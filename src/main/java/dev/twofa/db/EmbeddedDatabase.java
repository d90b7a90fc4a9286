package dev.twofa.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A PostgreSQL started from the embedded binaries, with its data kept in a local folder, for running the server
 * without installing a database. Locked down for a shared machine (see {@link PasswordOnlyAccess},
 * {@link EmbeddedFolder}): TCP on 127.0.0.1 only, no unix socket, SCRAM passwords for every login, the application
 * connected as a role that is not a superuser. Unlike the library's test defaults it keeps what it is told (fsync on).
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);
  static final String APP_ROLE = "twofa";
  static final String APP_DATABASE = "twofa";
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
  private static final Map<String, String> DURABLE = Map.of(
    "fsync", "on",
    "synchronous_commit", "on",
    "full_page_writes", "on");
  /** Data directories this JVM runs: probing their lock file from here would release the lock (POSIX semantics). */
  private static final Set<Path> STARTED_HERE = ConcurrentHashMap.newKeySet();
  /** The library unpacks its binaries once per JVM, into the first folder's runtime: remembered for upgrades. */
  private static final Set<Path> BINARIES_USED = ConcurrentHashMap.newKeySet();
  private final EmbeddedFolder folder;
  private final EmbeddedPostgres postgres;
  private final Postmaster postmaster;
  private final String superuserPassword;
  private final String appPassword;

  private EmbeddedDatabase(EmbeddedFolder folder, EmbeddedPostgres postgres, Postmaster postmaster,
                           String superuserPassword, String appPassword) {
    this.folder = folder;
    this.postgres = postgres;
    this.postmaster = postmaster;
    this.superuserPassword = superuserPassword;
    this.appPassword = appPassword;
  }

  /**
   * Starts PostgreSQL on {@code port} (0 picks a free one) with its data under {@code dataDir}. A server left
   * running on that folder by a process that died (kill -9) is stopped first; one whose process is alive is not.
   */
  public static EmbeddedDatabase start(Path dataDir, int port, boolean durable) throws IOException {
    EmbeddedFolder folder = new EmbeddedFolder(dataDir);
    EmbeddedVersion.check(folder);
    folder.secure();
    takeOverOrphan(folder);
    boolean newSuperuserPassword = EmbeddedFolder.ensurePassword(folder.superuserPasswordFile());
    EmbeddedFolder.ensurePassword(folder.appPasswordFile());
    String superuserPassword = EmbeddedFolder.readPassword(folder.superuserPasswordFile());
    String appPassword = EmbeddedFolder.readPassword(folder.appPasswordFile());
    if (folder.initialized() && (newSuperuserPassword || PasswordOnlyAccess.trusts(folder.data()))) {
      // A folder from the trust-everyone layout, or whose password file was deleted.
      LOG.info("event=database.superuser_password_set data={}", folder.data());
      PasswordOnlyAccess.setSuperuserPasswordOffline(folder, superuserPassword, BINARIES_USED);
    }
    EmbeddedPostgres postgres;
    AtomicBoolean locked = new AtomicBoolean(); // the library calls the customizer once it holds the folder's lock
    try {
      postgres = builder(folder, port, durable, superuserPassword, locked).start();
    } catch (IOException | RuntimeException e) {
      if (locked.get()) {
        stopLeftover(folder); // the library leaves its server running when the readiness check fails
      }
      throw e;
    }
    try {
      folder.secure();
      Postmaster postmaster = Postmaster.of(folder).orElseThrow(
        () -> new IOException("PostgreSQL started but " + folder.postmasterPid() + " names no running server"));
      BINARIES_USED.add(postmaster.binary());
      EmbeddedBootstrap.run(postgres.getPort(), superuserPassword, appPassword);
      STARTED_HERE.add(folder.data());
      return new EmbeddedDatabase(folder, postgres, postmaster, superuserPassword, appPassword);
    } catch (Exception e) {
      postgres.close();
      stopLeftover(folder);
      throw new IOException("cannot prepare the application's role and database: " + e.getMessage(), e);
    }
  }

  private static EmbeddedPostgres.Builder builder(EmbeddedFolder folder, int port, boolean durable,
                                                  String superuserPassword, AtomicBoolean locked) {
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
      .setDataDirectory(folder.data())
      .setCleanDataDirectory(false)
      .setOverrideWorkingDirectory(folder.runtime().toFile())
      .setRegisterShutdownHook(false) // the owner closes it, after what depends on it
      .setPGStartupWait(Duration.ofSeconds(60))
      // initdb: these come after the library's own "-A trust", and the last of each wins.
      .setLocaleConfig("auth", "scram-sha-256")
      .setLocaleConfig("pwfile", folder.superuserPasswordFile().toString())
      .setServerConfig("listen_addresses", "127.0.0.1")
      .setServerConfig("unix_socket_directories", "")
      .setServerConfig("password_encryption", "scram-sha-256")
      // The library's readiness check logs in as the superuser.
      .setConnectConfig("password", superuserPassword)
      .setDataDirectoryCustomizer(data -> {
        locked.set(true);
        writeHba(data.toPath());
      });
    if (port > 0) {
      builder.setPort(port);
    }
    if (durable) {
      DURABLE.forEach(builder::setServerConfig);
    }
    return builder;
  }

  /**
   * The application's URL on a server already running on {@code dataDir} (started by a twofa server, or left by
   * one that died), for a command that must not start a second server on the same folder.
   */
  public static Optional<String> runningUrl(Path dataDir) throws IOException {
    EmbeddedFolder folder = new EmbeddedFolder(dataDir);
    Optional<Postmaster> running = Postmaster.of(folder);
    if (running.isEmpty() || running.get().port() <= 0) {
      return Optional.empty();
    }
    return Optional.of(url(APP_ROLE, EmbeddedFolder.readPassword(folder.appPasswordFile()), running.get().port(),
      APP_DATABASE));
  }

  /** {@code postgresql://} URL of the application's role and database (not a superuser). */
  public String url() {
    return url(APP_ROLE, appPassword, port(), APP_DATABASE);
  }

  /** The superuser's URL, for what the application may not do (tests create their databases with it). */
  public String adminUrl() {
    return url("postgres", superuserPassword, port(), "postgres");
  }

  public int port() {
    return postgres.getPort();
  }

  /** The server's process id (from postmaster.pid). */
  public long pid() {
    return postmaster.pid();
  }

  /** Stops the server (pg_ctl stop -m fast) and returns once its process has exited. */
  @Override
  public void close() throws IOException {
    postgres.close();
    STARTED_HERE.remove(folder.data());
    if (postmaster.awaitExit(STOP_TIMEOUT)) {
      LOG.info("event=database.stopped pid={}", pid());
    } else {
      LOG.warn("event=database.stop_slow pid={} data={}", pid(), folder.data());
    }
  }

  private static String url(String user, String password, int port, String database) {
    return "postgresql://" + user + ":" + password + "@127.0.0.1:" + port + "/" + database;
  }

  private static void writeHba(Path data) {
    try {
      PasswordOnlyAccess.writeHba(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops a server on this folder whose owner died; refuses if the owner (a twofa process) is still alive. */
  private static void takeOverOrphan(EmbeddedFolder folder) throws IOException {
    Optional<Postmaster> running = Postmaster.of(folder);
    if (running.isEmpty()) {
      return;
    }
    if (STARTED_HERE.contains(folder.data()) || ownerAlive(folder)) {
      throw new IllegalStateException("PostgreSQL on " + folder.data() + " (pid " + running.get().pid()
        + ") belongs to a running twofa process");
    }
    LOG.warn("event=database.orphan_stopped pid={} data={}", running.get().pid(), folder.data());
    running.get().stop(STOP_TIMEOUT);
  }

  private static void stopLeftover(EmbeddedFolder folder) {
    try {
      Optional<Postmaster> leftover = Postmaster.of(folder);
      if (leftover.isPresent()) {
        leftover.get().stop(STOP_TIMEOUT);
      }
    } catch (IOException e) {
      LOG.warn("event=database.stop_failed data={} error={}", folder.data(), e.toString());
    }
  }

  /** The library holds a lock on {@code epg-lock} while it runs the server; the kernel drops it when that process dies. */
  private static boolean ownerAlive(EmbeddedFolder folder) throws IOException {
    try (FileChannel channel = FileChannel.open(folder.data().resolve("epg-lock"), StandardOpenOption.WRITE,
           StandardOpenOption.CREATE);
         FileLock lock = channel.tryLock()) {
      return lock == null;
    }
  }
}
