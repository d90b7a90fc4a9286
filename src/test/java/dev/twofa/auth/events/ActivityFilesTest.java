package dev.twofa.auth.events;

import dev.twofa.bus.ActivityEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file's rules without a server: formula-like cells are text, quotes are doubled, the cut is said. */
class ActivityFilesTest {
  private static final Instant AT = Instant.parse("2026-12-07T02:04:05Z");

  @Test
  void cellsASpreadsheetWouldRunAreTextAndQuotesAreDoubled() {
    assertEquals("'=HYPERLINK(\"x\")", ActivityFiles.safe("=HYPERLINK(\"x\")"));
    assertEquals("'+1", ActivityFiles.safe("+1"));
    assertEquals("'-1", ActivityFiles.safe("-1"));
    assertEquals("'@SUM(A1)", ActivityFiles.safe("@SUM(A1)"));
    assertEquals("'\tx", ActivityFiles.safe("\tx"));
    assertEquals("192.0.2.1", ActivityFiles.safe("192.0.2.1"));
    String csv = ActivityFiles.csv(List.of(event("=1+1", "-2001:db8::1", "Mozilla/5.0 =cmd|' /C calc'!A0")), true, "en",
      ZoneId.of("UTC"));
    assertTrue(csv.contains("\"2026-12-07 02:04:05\",\"'=1+1\",\"Succeeded\",\"'-2001:db8::1\",\"Unknown browser\",\"\"\r\n"), csv);
    assertFalse(csv.contains("cmd|"), "the User-Agent's own text never reaches the CSV");
  }

  @Test
  void timesAreInTheUsersZoneAndACutFileSaysSo() {
    String csv = ActivityFiles.csv(List.of(event("login.password", "192.0.2.1",
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1")),
      false, "ja", ZoneId.of("Asia/Tokyo"));
    assertTrue(csv.contains("\"2026-12-07 11:04:05\",\"login.password\",\"成功\",\"192.0.2.1\",\"iOSのSafari\",\"\""), csv);
    assertTrue(csv.endsWith("\"このファイルには新しいものから5,000件までを収めています。\"\r\n"), csv);
  }

  private static ActivityEvent event(String type, String ip, String userAgent) {
    return new ActivityEvent("1", AT.toString(), type, true, ip, userAgent, null, null);
  }
}
