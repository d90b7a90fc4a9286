package dev.twofa.http;

import dev.twofa.support.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Static files are revalidated at every load, so a deploy reaches browsers at once; unchanged ones answer 304. */
class StaticFilesTest {
  @RegisterExtension
  static TestServer server = new TestServer();

  @Test
  void staticFilesAreRevalidatedNotKeptForADay() throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (String path : new String[] {"/js/app.js", "/css/app.css", "/i18n/ja.json"}) {
      HttpResponse<String> first = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
      assertEquals(200, first.statusCode(), path);
      String cache = first.headers().firstValue("Cache-Control").orElse("");
      assertEquals("no-cache", cache, path);
      assertFalse(cache.contains("immutable"), path);
      String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();

      HttpResponse<String> again = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .header("If-Modified-Since", lastModified).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(304, again.statusCode(), path);
      assertTrue(again.body().isEmpty(), path);
    }
  }
}
