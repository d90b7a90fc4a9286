package dev.twofa.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A PostgreSQL started from the embedded binaries, with its data kept in a local folder, for running the server
 * without installing a database. Unlike the library's test defaults it keeps what it is told (fsync on).
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Map<String, String> DURABLE = Map.of(
    "fsync", "on",
    "synchronous_commit", "on",
    "full_page_writes", "on");
  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts PostgreSQL on {@code port} (0 picks a free one) with its data under {@code dataDir}. */
  public static EmbeddedDatabase start(Path dataDir, int port, boolean durable) throws IOException {
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
      .setDataDirectory(dataDir)
      .setCleanDataDirectory(false)
      .setOverrideWorkingDirectory(dataDir.resolveSibling(dataDir.getFileName() + "-runtime").toFile());
    if (port > 0) {
      builder.setPort(port);
    }
    if (durable) {
      DURABLE.forEach(builder::setServerConfig);
    }
    return new EmbeddedDatabase(builder.start());
  }

  /** {@code postgresql://} URL of the built-in superuser's database. */
  public String url() {
    return "postgresql://postgres:postgres@localhost:" + postgres.getPort() + "/postgres";
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    postgres.close();
  }
}
