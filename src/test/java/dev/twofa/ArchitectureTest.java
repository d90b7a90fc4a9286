package dev.twofa;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verticles meet only through the bus contract: http, auth and audit import none of each other (they
 * share only bus, config and db), and db knows nothing of bus. Read from the sources, so a new import fails
 * the build.
 */
class ArchitectureTest {
  private static final Path SOURCES = Path.of("src/main/java/dev/twofa");
  private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?dev\\.twofa\\.([a-z]+)\\.", Pattern.MULTILINE);
  private static final Map<String, Set<String>> ALLOWED = Map.of(
    "http", Set.of("http", "bus", "config", "db"),
    "auth", Set.of("auth", "bus", "config", "db"),
    "audit", Set.of("audit", "bus", "config", "db"),
    "bus", Set.of("bus"),
    "db", Set.of("db", "config"));

  @Test
  void verticlesShareOnlyTheBusConfigAndDb() throws IOException {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<String, Set<String>> rule : ALLOWED.entrySet()) {
      Path dir = SOURCES.resolve(rule.getKey());
      assertTrue(Files.isDirectory(dir), dir + " exists");
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
          Matcher imported = IMPORT.matcher(Files.readString(file));
          while (imported.find()) {
            if (!rule.getValue().contains(imported.group(1))) {
              violations.add(file + " imports dev.twofa." + imported.group(1));
            }
          }
        }
      }
    }
    assertEquals(List.of(), violations);
  }
}
