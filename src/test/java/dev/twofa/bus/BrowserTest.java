package dev.twofa.bus;

import io.vertx.core.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one list of browser names: real User-Agents, hostile ones, and the records that carry the reading. */
class BrowserTest {
  @Test
  void realBrowsersAreNamedWithTheirSystem() {
    assertEquals(new Browser("Chrome", "macOS"), Browser.of("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) "
      + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"));
    assertEquals(new Browser("Edge", "Windows"), Browser.of("Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
      + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61"));
    assertEquals(new Browser("Safari", "iOS"), Browser.of("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) "
      + "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1"));
    assertEquals(new Browser("Chrome", "Android"), Browser.of("Mozilla/5.0 (Linux; Android 14; Pixel 8) "
      + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36"));
    assertEquals(new Browser("Firefox", "Linux"), Browser.of("Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"));
    assertEquals(new Browser("curl", null), Browser.of("curl/8.4.0"));
    assertEquals(new Browser(null, null), Browser.of(""));
    assertEquals(new Browser(null, null), Browser.of(null));
  }

  @Test
  void onlyNamesFromTheListComeOut() {
    Browser hostile = Browser.of("Visit https://evil.example/ now <script> Chrome/1 (Windows)");
    assertEquals(new Browser("Chrome", "Windows"), hostile);
  }

  @Test
  void theReadingTravelsWithSessionsAndEventsAndIsIgnoredOnTheWayIn() {
    ActivityEvent event = new ActivityEvent("1", "2026-03-01T12:00:00Z", "signup", true, "203.0.113.7", "curl/8.4.0",
      null, Map.of());
    String json = Json.encode(event);
    assertEquals("curl", new io.vertx.core.json.JsonObject(json).getJsonObject("browser").getString("name"));
    assertEquals(event, Json.decodeValue(json, ActivityEvent.class));
    AuthReplies.SessionInfo session = new AuthReplies.SessionInfo("h", true, "a", "b", "ip", "curl/8.4.0", false);
    assertEquals(session, Json.decodeValue(Json.encode(session), AuthReplies.SessionInfo.class));
  }
}
