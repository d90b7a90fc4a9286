package dev.twofa.http;

import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

import static dev.twofa.support.ApiAssertions.assertError;
import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.credentials;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** "Download my activity" over HTTP: CSV and JSON, the user's language and zone, only for the signed-in owner. */
class ActivityDownloadTest {
  @RegisterExtension
  static TestServer server = new TestServer().with("TWOFA_ACTIVITY_RETENTION_DAYS", "180");
  private final TestAccounts accounts = new TestAccounts(server);

  private ApiClient signUp(String email, String language, String timeZone) {
    ApiClient client = server.newClient().extraHeaders("Accept-Language", language);
    JsonObject body = credentials(email, PASSWORD);
    if (timeZone != null) {
      body.put("timeZone", timeZone);
    }
    assertEquals(201, client.post("/api/signup", body).status());
    return client;
  }

  @Test
  void aJapaneseOwnerGetsJapaneseHeadersAndJapanTimeWithEveryEventInTheFile() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = signUp(email, "ja", "Asia/Tokyo");
    assertEquals(401, server.newClient().post("/api/login", credentials(email, "wrong-password-1")).status());
    String signedUpAt = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.of("Asia/Tokyo"))
      .format(server.clock().instant());

    // Events reach audit through the outbox's relay, just after the answers.
    ApiClient.Response csv = eventually(() -> owner.get("/api/account/activity/download?format=csv"),
      r -> r.text().split("\r\n").length == 3, "both events in the file");
    assertEquals(200, csv.status(), csv.toString());
    assertTrue(csv.header("Content-Type").startsWith("text/csv"), csv.header("Content-Type"));
    assertTrue(csv.header("Content-Disposition").matches("attachment; filename=\"activity-\\d{4}-\\d{2}-\\d{2}\\.csv\""),
      csv.header("Content-Disposition"));
    assertEquals("no-store", csv.header("Cache-Control"));
    String[] lines = csv.text().split("\r\n");
    assertEquals("\uFEFF\"日時（Asia/Tokyo）\",\"操作\",\"結果\",\"IPアドレス\",\"ブラウザ\",\"実行者\"", lines[0]);
    assertEquals(3, lines.length, csv.text());
    assertTrue(lines[1].startsWith("\"" + signedUpAt.substring(0, 16)) && lines[1].contains("\"login.password\",\"失敗\""),
      lines[1]);
    assertTrue(lines[2].contains("\"signup\",\"成功\""), lines[2]);

    JsonObject json = new JsonObject(owner.get("/api/account/activity/download?format=json").text());
    assertEquals("Asia/Tokyo", json.getString("timeZone"));
    assertEquals(180, json.getInteger("retentionDays"));
    assertTrue(json.getBoolean("complete"));
    assertEquals(2, json.getJsonArray("events").size());
    assertTrue(json.getJsonArray("events").getJsonObject(0).getString("at").endsWith("+09:00"), json.encode());
  }

  @Test
  void anOwnerWithoutAZoneGetsUtcAndEnglishAndNobodyElseGetsAnything() throws Exception {
    ApiClient owner = signUp(TestAccounts.uniqueEmail(), "en", null);
    String text = eventually(() -> owner.get("/api/account/activity/download").text(), t -> t.contains("signup"), "signup");
    assertTrue(text.startsWith("\uFEFF\"Time (UTC)\",\"Event\",\"Result\",\"IP address\",\"Browser\",\"By\"\r\n"), text);
    assertTrue(text.contains("\"signup\",\"Succeeded\""), text);
    assertError(server.newClient().get("/api/account/activity/download?format=csv"), 401, "unauthenticated");
    assertError(owner.get("/api/account/activity/download?format=xml"), 400, "invalid_request");
    assertEquals(180, server.newClient().get("/api/config").json().getJsonObject("activity").getInteger("retentionDays"));
  }

  @Test
  void aFileHoldsTheNewestFiveThousandEventsAndSaysSoWhenThereAreMore() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = signUp(email, "en", "UTC");
    eventually(() -> owner.get("/api/account/activity/download").text(), t -> t.contains("signup"), "signup");
    server.query("""
        INSERT INTO security_events (user_id, at, type, success, ip, user_agent)
        SELECT u.id, now() - interval '1 day', 'login.password', false, '192.0.2.1', 'ua' FROM users u, generate_series(1, 5000)
        WHERE u.email = $1
        """, email);
    JsonObject json = new JsonObject(owner.get("/api/account/activity/download?format=json").text());
    assertEquals(5000, json.getJsonArray("events").size());
    assertEquals(false, json.getBoolean("complete"));
    String csv = owner.get("/api/account/activity/download").text();
    assertEquals(5002, csv.split("\r\n").length, "the header, 5,000 events and the note");
    assertTrue(csv.endsWith("\"Only the newest 5,000 events are in this file.\"\r\n"));
  }
}
