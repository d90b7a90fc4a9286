package dev.twofa.db;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * What the embedded PostgreSQL keeps on disk, next to each other in the data folder: its data directory
 * ({@code postgres/}), its unpacked binaries ({@code postgres-runtime/}) and one generated password per role
 * ({@code postgres-superuser.password}, {@code postgres-twofa.password}). Only the owner may read any of it.
 */
record EmbeddedFolder(Path data) {
  static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
  static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

  EmbeddedFolder {
    data = data.toAbsolutePath().normalize();
  }

  Path runtime() {
    return sibling("-runtime");
  }

  Path superuserPasswordFile() {
    return sibling("-superuser.password");
  }

  Path appPasswordFile() {
    return sibling("-" + EmbeddedDatabase.APP_ROLE + ".password");
  }

  Path postmasterPid() {
    return data.resolve("postmaster.pid");
  }

  boolean initialized() {
    return Files.exists(data.resolve("PG_VERSION"));
  }

  /** Creates the folders owner-only, and takes back any wider mode (the library opens the runtime to all). */
  void secure() throws IOException {
    Path parent = data.getParent();
    if (!Files.exists(parent)) {
      Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
    }
    for (Path dir : new Path[] {data, runtime()}) {
      if (!Files.exists(dir)) {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
      }
      Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
    }
  }

  /** Generates the role's password once (SecureRandom, 192 bits) into a file only the owner can read; true if new. */
  static boolean ensurePassword(Path file) throws IOException {
    boolean created = false;
    if (!Files.exists(file)) {
      byte[] random = new byte[24];
      new SecureRandom().nextBytes(random);
      // URL-safe characters: the password sits inside postgresql:// URLs unescaped.
      Path written = Files.createTempFile(file.getParent(), ".password", ".tmp");
      Files.writeString(written, Base64.getUrlEncoder().withoutPadding().encodeToString(random), StandardCharsets.UTF_8);
      Files.move(written, file, StandardCopyOption.ATOMIC_MOVE);
      created = true;
    }
    Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
    return created;
  }

  static String readPassword(Path file) throws IOException {
    String password = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (password.isEmpty()) {
      throw new IOException(file + " is empty; delete it to have a new password generated and set");
    }
    return password;
  }

  private Path sibling(String suffix) {
    return data.resolveSibling(data.getFileName() + suffix);
  }
}
