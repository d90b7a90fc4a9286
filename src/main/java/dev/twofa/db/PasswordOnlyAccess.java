package dev.twofa.db;

import io.zonky.test.db.postgres.util.LinuxUtils;
import org.postgresql.util.PasswordUtil;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The embedded server's pg_hba.conf and the superuser's password: logins with a SCRAM password over TCP from
 * 127.0.0.1, nothing else. Folders made by earlier versions (initdb {@code -A trust}) are brought to this once.
 */
final class PasswordOnlyAccess {
  static final String HBA = """
    # Written by twofa at each start of its embedded PostgreSQL; edits are overwritten.
    # Password (SCRAM) logins over TCP from this machine only. No trust line, and no unix socket
    # (unix_socket_directories is empty), so a local user needs a role's password to connect.
    host all all 127.0.0.1/32 scram-sha-256
    """;

  private PasswordOnlyAccess() {
  }

  static void writeHba(Path data) throws IOException {
    Path hba = data.resolve("pg_hba.conf");
    Files.writeString(hba, HBA, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(hba, EmbeddedFolder.OWNER_ONLY_FILE);
  }

  /** True if any rule in pg_hba.conf lets a login in without a password. */
  static boolean trusts(Path data) throws IOException {
    Path hba = data.resolve("pg_hba.conf");
    if (!Files.exists(hba)) {
      return false;
    }
    try (Stream<String> lines = Files.lines(hba)) {
      return lines.map(line -> line.replaceFirst("#.*", "").strip())
        .anyMatch(rule -> List.of(rule.split("\\s+")).contains("trust"));
    }
  }

  /**
   * Sets the superuser's password with the server stopped, in single-user mode (no network, no socket), so
   * there is no moment at which a trusted login is open. Only the SCRAM verifier is written, never the password.
   */
  static void setSuperuserPasswordOffline(EmbeddedFolder folder, String password, Collection<Path> knownBinaries)
    throws IOException {
    Path postgres = binary(folder, knownBinaries);
    List<String> command = new ArrayList<>();
    if (LinuxUtils.isUnshareAvailable()) {
      command.addAll(List.of("unshare", "-U")); // as the library runs it: PostgreSQL refuses to run as root
    }
    command.addAll(List.of(postgres.toString(), "--single", "-D", folder.data().toString(), "postgres"));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (OutputStream input = process.getOutputStream()) {
      String verifier = PasswordUtil.encodeScramSha256(password.toCharArray());
      input.write(("ALTER ROLE postgres PASSWORD '" + verifier + "'\n").getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (process.waitFor() != 0 || output.contains("ERROR")) {
        throw new IOException("setting the superuser's password in single-user mode failed: " + output.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while setting the superuser's password", e);
    }
  }

  /**
   * A {@code postgres} of the data directory's major version: unpacked by the library into the runtime folder, or,
   * in a JVM that runs several folders (tests), the one it unpacked once for all of them.
   */
  private static Path binary(EmbeddedFolder folder, Collection<Path> knownBinaries) throws IOException {
    String major = Files.readString(folder.data().resolve("PG_VERSION")).strip();
    List<Path> candidates = new ArrayList<>();
    if (Files.isDirectory(folder.runtime())) {
      try (Stream<Path> dirs = Files.list(folder.runtime())) {
        dirs.map(dir -> dir.resolve("bin").resolve("postgres")).filter(Files::isExecutable).forEach(candidates::add);
      }
    }
    candidates.addAll(knownBinaries);
    for (Path candidate : candidates) {
      if (version(candidate).filter(v -> v.startsWith(major + ".")).isPresent()) {
        return candidate;
      }
    }
    throw new IOException("no PostgreSQL " + major + " binaries under " + folder.runtime()
      + " to set the superuser's password with");
  }

  private static Optional<String> version(Path postgres) throws IOException {
    Process process = new ProcessBuilder(postgres.toString(), "--version").redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    // "postgres (PostgreSQL) 14.22"
    return Optional.of(output.substring(output.lastIndexOf(' ') + 1));
  }
}
