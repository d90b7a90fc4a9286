package dev.twofa.auth.events;

import dev.twofa.auth.Door;
import dev.twofa.bus.ActivityEvent;
import dev.twofa.bus.AuthReplies.ActivityFile;
import dev.twofa.bus.Browser;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

/**
 * Activity as a file the owner takes along: CSV (headers and words in the user's language, a BOM so spreadsheet
 * apps read Japanese as UTF-8) or JSON (stable English keys for programs), times in the user's zone. Every CSV cell
 * is quoted, and one that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
 * is prefixed with an apostrophe. Bounded: at most {@link #MAX_EVENTS} events, the newest; the file says when older
 * ones were left out.
 */
@Door
public final class ActivityFiles {
  public static final int MAX_EVENTS = 5000;
  private static final DateTimeFormatter CSV_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd");

  /** The words of a file, in each language (the events' types stay as their stable codes, like the JSON's). */
  private record Words(String time, String event, String result, String ip, String browser, String by,
                       String succeeded, String failed, String support, String browserOn, String unknownBrowser,
                       String incomplete) {
  }

  private static final Map<String, Words> WORDS = Map.of(
    "en", new Words("Time ({zone})", "Event", "Result", "IP address", "Browser", "By",
      "Succeeded", "Failed", "Support desk", "{browser} on {system}", "Unknown browser",
      "Only the newest {n} events are in this file."),
    "ja", new Words("日時（{zone}）", "操作", "結果", "IPアドレス", "ブラウザ", "実行者",
      "成功", "失敗", "サポート窓口", "{system}の{browser}", "不明なブラウザ",
      "このファイルには新しいものから{n}件までを収めています。"));

  private ActivityFiles() {
  }

  /** The file of {@code events} (newest first); {@code complete} false when older events were left out. */
  public static ActivityFile render(String format, List<ActivityEvent> events, boolean complete, String language,
                                    ZoneId zone, int retentionDays, Instant now) {
    String day = DAY.format(now.atZone(zone));
    if ("json".equals(format)) {
      return new ActivityFile("activity-" + day + ".json", "application/json; charset=utf-8",
        json(events, complete, zone, retentionDays, now).encodePrettily());
    }
    return new ActivityFile("activity-" + day + ".csv", "text/csv; charset=utf-8", csv(events, complete, language, zone));
  }

  static String csv(List<ActivityEvent> events, boolean complete, String language, ZoneId zone) {
    Words words = WORDS.getOrDefault(language, WORDS.get("en"));
    StringBuilder out = new StringBuilder("\uFEFF");
    row(out, words.time().replace("{zone}", zone.getId()), words.event(), words.result(), words.ip(), words.browser(),
      words.by());
    for (ActivityEvent event : events) {
      row(out, CSV_TIME.format(Instant.parse(event.at()).atZone(zone)), event.type(),
        event.success() ? words.succeeded() : words.failed(), event.ip(), browser(event, words),
        event.actor() == null ? "" : words.support());
    }
    if (!complete) {
      row(out, words.incomplete().replace("{n}", String.format("%,d", MAX_EVENTS)));
    }
    return out.toString();
  }

  static JsonObject json(List<ActivityEvent> events, boolean complete, ZoneId zone, int retentionDays, Instant now) {
    JsonArray list = new JsonArray();
    for (ActivityEvent event : events) {
      Browser browser = event.browser();
      list.add(new JsonObject()
        .put("at", Instant.parse(event.at()).atZone(zone).toOffsetDateTime().toString())
        .put("type", event.type())
        .put("success", event.success())
        .put("ip", event.ip())
        .put("browser", browser.name())
        .put("system", browser.system())
        .put("userAgent", event.userAgent())
        .put("by", event.actor() == null ? null : "support"));
    }
    return new JsonObject()
      .put("exportedAt", now.atZone(zone).toOffsetDateTime().toString())
      .put("timeZone", zone.getId())
      .put("retentionDays", retentionDays)
      .put("complete", complete)
      .put("events", list);
  }

  /** Browser and system in words, from the allow-list only (never the User-Agent's own text). */
  private static String browser(ActivityEvent event, Words words) {
    Browser browser = event.browser();
    if (browser.name() == null) {
      return words.unknownBrowser();
    }
    return browser.system() == null ? browser.name()
      : words.browserOn().replace("{browser}", browser.name()).replace("{system}", browser.system());
  }

  private static void row(StringBuilder out, String... cells) {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append('"').append(safe(cells[i]).replace("\"", "\"\"")).append('"');
    }
    out.append("\r\n");
  }

  /** A cell a spreadsheet shows as text, never runs (OWASP's CSV injection advice). */
  static String safe(String cell) {
    if (cell == null || cell.isEmpty()) {
      return "";
    }
    char first = cell.charAt(0);
    return first == '=' || first == '+' || first == '-' || first == '@' || first == '\t' || first == '\r' ? "'" + cell : cell;
  }
}
