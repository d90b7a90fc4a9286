package dev.twofa.db;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The PostgreSQL server process running on a data directory, found through its {@code postmaster.pid}
 * (line 1 the pid, line 4 the port). A pid is trusted only when that process runs a {@code postgres} binary
 * with the data directory as its working directory, so a stale file whose pid was reused is never acted on.
 */
record Postmaster(ProcessHandle process, int port) {
  private static final int PORT_LINE = 3;

  static Optional<Postmaster> of(EmbeddedFolder folder) throws IOException {
    List<String> lines;
    try {
      lines = Files.readAllLines(folder.postmasterPid());
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (lines.isEmpty() || lines.get(0).isBlank()) {
      return Optional.empty();
    }
    long pid = Long.parseLong(lines.get(0).strip());
    int port = lines.size() > PORT_LINE && !lines.get(PORT_LINE).isBlank() ? Integer.parseInt(lines.get(PORT_LINE).strip()) : -1;
    Optional<ProcessHandle> process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    if (process.isEmpty() || !runsOn(pid, folder.data())) {
      return Optional.empty();
    }
    return Optional.of(new Postmaster(process.get(), port));
  }

  private static boolean runsOn(long pid, Path data) throws IOException {
    Path proc = Path.of("/proc", String.valueOf(pid));
    try {
      Path binary = Files.readSymbolicLink(proc.resolve("exe"));
      Path workingDirectory = Files.readSymbolicLink(proc.resolve("cwd"));
      return binary.getFileName().toString().equals("postgres") && workingDirectory.equals(data.toRealPath());
    } catch (NoSuchFileException gone) {
      return false;
    } catch (AccessDeniedException otherUser) {
      return false; // our PostgreSQL runs as our user: a process we may not inspect is someone else's (the pid was reused)
    } catch (IOException e) {
      throw new IOException("cannot tell whether process " + pid + " (from " + data.resolve("postmaster.pid")
        + ") is this folder's PostgreSQL: " + e.getMessage(), e);
    }
  }

  long pid() {
    return process.pid();
  }

  /** The {@code postgres} executable it runs. */
  Path binary() throws IOException {
    return Files.readSymbolicLink(Path.of("/proc", String.valueOf(pid()), "exe"));
  }

  /** Fast shutdown (SIGINT, as {@code pg_ctl stop -m fast}: sessions are ended), then waits for the exit. */
  void stop(Duration timeout) throws IOException {
    try {
      boolean signalled = new ProcessBuilder("kill", "-INT", String.valueOf(pid())).start().waitFor() == 0;
      if (!signalled) {
        process.destroy();
      }
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IOException noKillCommand) {
      process.destroy(); // SIGTERM: smart shutdown, enough once the dead owner's connections are gone
      awaitExit(timeout);
    } catch (TimeoutException e) {
      throw new IOException("PostgreSQL (pid " + pid() + ") did not stop within " + timeout.toSeconds() + " s", e);
    } catch (ExecutionException e) {
      throw new IOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while stopping PostgreSQL (pid " + pid() + ")", e);
    }
  }

  /** Waits for the process to end, as after {@code pg_ctl stop}; false if it is still running at the timeout. */
  boolean awaitExit(Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
