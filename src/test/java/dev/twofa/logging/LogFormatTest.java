package dev.twofa.logging;

import dev.twofa.config.TwofaConfig;
import dev.twofa.support.LogRendering;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A value from outside cannot forge a second line or another field, in the key=value text or in JSON. */
class LogFormatTest {
  private static final String HOSTILE = "boom\n2026-12-07T00:00:00.000Z level=ERROR logger=Main event=forged\r\" user=1 "
    + "\\\" x=y\u2028z\u0085\u202e\t\u0000 ログ=値";

  private static String hostileLines(String format) {
    return LogRendering.render(format, log -> {
      log.warn("event=test.hostile user={} error={}", 42, HOSTILE);
      log.error("event=test.failed", new IllegalStateException(HOSTILE, new RuntimeException(HOSTILE)));
    });
  }

  @Test
  void aHostileValueStaysOneQuotedFieldInTheText() {
    String[] lines = lines(hostileLines(null));
    assertEquals(2, lines.length, String.join("\n", lines));
    Map<String, String> first = fields(lines[0]);
    assertEquals(List.of("level", "logger", "event", "user", "error"), List.copyOf(first.keySet()), lines[0]);
    assertEquals("test.hostile", first.get("event"));
    assertEquals("42", first.get("user"));
    assertEquals(HOSTILE, first.get("error"), "the value reads back exactly");
    Map<String, String> second = fields(lines[1]);
    assertEquals(List.of("level", "logger", "event", "exception"), List.copyOf(second.keySet()), lines[1]);
    assertTrue(second.get("exception").startsWith("java.lang.IllegalStateException: " + HOSTILE + " | at "), second.get("exception"));
    assertTrue(second.get("exception").endsWith(" | caused by java.lang.RuntimeException: " + HOSTILE));
  }

  @Test
  void plainValuesStayBare() {
    String line = LogRendering.render("text", log -> log.info("event=test.plain user={} kind={} note={}", 7, "login", ""));
    assertTrue(line.endsWith(" event=test.plain user=7 kind=login note=\"\"\n"), line);
  }

  @Test
  void aHostileValueStaysOneJsonStringInJson() {
    String[] lines = lines(hostileLines("json"));
    assertEquals(2, lines.length, String.join("\n", lines));
    JsonObject first = new JsonObject(lines[0]);
    assertEquals(Set.of("timestamp", "level", "loggerName", "mdc", "message", "arguments", "throwable"), first.fieldNames(),
      lines[0]);
    assertEquals("WARN", first.getString("level"));
    assertEquals("event=test.hostile user={} error={}", first.getString("message"));
    assertEquals(HOSTILE, first.getJsonArray("arguments").getString(1));
    JsonObject second = new JsonObject(lines[1]);
    assertEquals(Set.of("timestamp", "level", "loggerName", "mdc", "message", "throwable"), second.fieldNames(), lines[1]);
    assertEquals(HOSTILE, second.getJsonObject("throwable").getString("message"));
    assertFalse(lines[0].contains("\"event\""), "no field of its own for the forged event");
  }

  @Test
  void anUnknownFormatStopsTheStart() {
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
      () -> TwofaConfig.from(Map.of("TWOFA_LOG_FORMAT", "xml")));
    assertTrue(refused.getMessage().contains("TWOFA_LOG_FORMAT"), refused.getMessage());
    // Until the configuration refuses it, logback writes text rather than nothing.
    assertTrue(LogRendering.render("xml", log -> log.info("event=test.fallback")).contains(" event=test.fallback"));
  }

  /** Lines end with \n only; no other character may start a line in a log viewer. */
  private static String[] lines(String output) {
    assertTrue(output.endsWith("\n"), output);
    for (char c : new char[] {'\r', '\u2028', '\u2029', '\u0085', '\u000b', '\u000c'}) {
      assertEquals(-1, output.indexOf(c), "no " + Integer.toHexString(c) + " in " + output);
    }
    return output.substring(0, output.length() - 1).split("\n", -1);
  }

  /** Parses "time key=value key="quoted \" value" ..." strictly: every character belongs to one field. */
  static Map<String, String> fields(String line) {
    Map<String, String> fields = new LinkedHashMap<>();
    int i = line.indexOf(' ') + 1;
    while (i < line.length()) {
      int equals = line.indexOf('=', i);
      String key = line.substring(i, equals);
      assertTrue(key.matches("[a-z_]+"), "a key: " + key + " in " + line);
      i = equals + 1;
      StringBuilder value = new StringBuilder();
      if (line.charAt(i) == '"') {
        i++;
        while (line.charAt(i) != '"') {
          char c = line.charAt(i++);
          if (c == '\\') {
            char e = line.charAt(i++);
            switch (e) {
              case 'n' -> value.append('\n');
              case 'r' -> value.append('\r');
              case 't' -> value.append('\t');
              case 'u' -> {
                value.append((char) Integer.parseInt(line.substring(i, i + 4), 16));
                i += 4;
              }
              default -> value.append(e);
            }
          } else {
            value.append(c);
          }
        }
        i++;
      } else {
        int end = line.indexOf(' ', i);
        end = end < 0 ? line.length() : end;
        value.append(line, i, end);
        i = end;
      }
      assertTrue(fields.put(key, value.toString()) == null, "one " + key + " in " + line);
      if (i < line.length()) {
        assertEquals(' ', line.charAt(i), line);
        i++;
      }
    }
    return fields;
  }

  static List<String> keysOf(String line) {
    return new ArrayList<>(fields(line).keySet());
  }
}
