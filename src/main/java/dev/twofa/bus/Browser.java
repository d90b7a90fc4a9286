package dev.twofa.bus;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The browser and operating system a User-Agent header names, read from a short allow-list of tokens: the one
 * definition the mails, Activity and the sessions list share. Only the names below can come out (never the header's
 * own text, which anyone may fill with URLs or words aimed at the reader); null where no token matched. Order
 * matters: Edge and Opera also say Chrome, Chrome also says Safari, Android also says Linux.
 */
public record Browser(String name, String system) {
  private static final List<Map.Entry<Pattern, String>> NAMES = List.of(
    Map.entry(Pattern.compile("Edg(e|A|iOS)?/"), "Edge"),
    Map.entry(Pattern.compile("OPR/|Opera"), "Opera"),
    Map.entry(Pattern.compile("Firefox/|FxiOS/"), "Firefox"),
    Map.entry(Pattern.compile("Chrom(e|ium)/|CriOS/"), "Chrome"),
    Map.entry(Pattern.compile("Safari/"), "Safari"),
    Map.entry(Pattern.compile("^curl/"), "curl"));
  private static final List<Map.Entry<Pattern, String>> SYSTEMS = List.of(
    Map.entry(Pattern.compile("Android"), "Android"),
    Map.entry(Pattern.compile("iPhone|iPad|iPod"), "iOS"),
    Map.entry(Pattern.compile("Windows"), "Windows"),
    Map.entry(Pattern.compile("Mac OS X|Macintosh"), "macOS"),
    Map.entry(Pattern.compile("CrOS"), "ChromeOS"),
    Map.entry(Pattern.compile("Linux"), "Linux"));

  public static Browser of(String userAgent) {
    String ua = userAgent == null ? "" : userAgent;
    return new Browser(first(NAMES, ua), first(SYSTEMS, ua));
  }

  private static String first(List<Map.Entry<Pattern, String>> tokens, String ua) {
    return tokens.stream().filter(token -> token.getKey().matcher(ua).find()).map(Map.Entry::getValue)
      .findFirst().orElse(null);
  }
}
