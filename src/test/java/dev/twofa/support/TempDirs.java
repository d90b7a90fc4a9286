package dev.twofa.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

/**
 * Temporary folders that are gone when the test JVM exits: a suite run makes hundreds of them (data folders,
 * PostgreSQL clusters, browser profiles), and left behind they filled the disk of a busy machine.
 */
public final class TempDirs {

  private static final List<Path> CREATED = new CopyOnWriteArrayList<>();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> CREATED.forEach(TempDirs::delete)));
  }

  private TempDirs() {
  }

  /** A new folder that is deleted, with what it holds, at exit. */
  public static Path create(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      CREATED.add(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes a folder and what it holds; what cannot be deleted (a process still writing) is left alone. */
  public static void delete(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: the folder is in the system's temporary space
    }
  }
}
