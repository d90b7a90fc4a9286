package dev.twofa.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Properties;

/**
 * The embedded PostgreSQL's major version (from the binaries the build bundles), and the refusal of a data folder
 * that another major created: PostgreSQL cannot open one, and the library's own failure says only that it did not
 * start. The folder is left as it is; docs/operations.md says how to move its data over.
 */
final class EmbeddedVersion {
  static final String BUNDLED = bundled();

  private EmbeddedVersion() {
  }

  /** The major of the bundled binaries: "17" of "17.11.0". */
  static String major() {
    return BUNDLED.substring(0, BUNDLED.indexOf('.'));
  }

  /** Refuses a data folder created by another major of PostgreSQL, before anything starts on it. */
  static void check(EmbeddedFolder folder) throws IOException {
    if (!folder.initialized()) {
      return;
    }
    String created = Files.readString(folder.data().resolve("PG_VERSION")).strip();
    if (!created.equals(major())) {
      throw new IOException("the data folder " + folder.data() + " was created by PostgreSQL " + created
        + " and this twofa runs PostgreSQL " + major() + ", which cannot open it; move the data over first "
        + "(docs/operations.md, \"Upgrading the embedded PostgreSQL\"), or run with TWOFA_DB_URL");
    }
  }

  private static String bundled() {
    try (InputStream in = EmbeddedVersion.class.getResourceAsStream("/postgres-embedded.properties")) {
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
