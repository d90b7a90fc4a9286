package dev.twofa;

import dev.twofa.config.TwofaConfig;
import dev.twofa.db.EmbeddedDatabase;
import dev.twofa.db.Migrations;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;

/** Entry point: configuration, the embedded database when none is configured, migrations, then Vert.x. */
public final class Main {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  private Main() {
  }

  public static void main(String[] args) {
    try {
      start(TwofaConfig.fromEnvironment());
    } catch (IllegalArgumentException e) {
      LOG.error("event=config.invalid message=\"{}\"", e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      LOG.error("event=startup.failed error=\"{}\"", e.toString());
      System.exit(1);
    }
  }

  static void start(TwofaConfig configured) throws IOException {
    long started = System.nanoTime();
    TwofaConfig config = configured;
    if (configured.dbUrl().isEmpty()) {
      EmbeddedDatabase db = EmbeddedDatabase.start(configured.dataDir().resolve("postgres"), 0, true);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(db)));
      config = configured.withDatabase(db.url(), configured.secretKey().orElse(localKey(configured.dataDir())));
      LOG.info("event=database.embedded port={} data={}", db.port(), configured.dataDir().resolve("postgres"));
    } else if (configured.secretKey().isEmpty()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEY is required with " + TwofaConfig.PREFIX + "DB_URL");
    }
    long migrationStart = System.nanoTime();
    Migrations.migrate(config.dbUrl().orElseThrow());
    LOG.info("event=database.migrated ms={}", (System.nanoTime() - migrationStart) / 1_000_000);

    Vertx vertx = Vertx.vertx();
    TwofaConfig ready = config;
    vertx.deployVerticle(new MainVerticle(config, Clock.systemUTC()))
      .onSuccess(id -> LOG.info("event=server.ready port={} http_instances={} ms={}", ready.httpPort(),
        ready.httpInstances(), (System.nanoTime() - started) / 1_000_000))
      .onFailure(error -> {
        LOG.error("event=server.failed error=\"{}\"", error.toString());
        vertx.close().onComplete(closed -> System.exit(1));
      });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
  }

  /** The key for the embedded database's data, generated once into the data folder (readable by the owner only). */
  private static byte[] localKey(Path dataDir) throws IOException {
    Path file = dataDir.resolve("secret.key");
    if (!Files.exists(file)) {
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      Files.createDirectories(dataDir);
      Files.writeString(file, Base64.getEncoder().encodeToString(key), StandardOpenOption.CREATE_NEW);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }
    return Base64.getDecoder().decode(Files.readString(file).trim());
  }

  private static void closeQuietly(EmbeddedDatabase db) {
    try {
      db.close();
    } catch (IOException e) {
      LOG.warn("event=database.close_failed error=\"{}\"", e.toString());
    }
  }
}
