package dev.twofa.http;

import dev.twofa.cli.OidcClients;
import dev.twofa.support.ApiClient;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 10,000 generated requests across every endpoint, as anonymous, half-logged-in, signed-in and stepped-up
 * browsers: random JSON shapes and types, unicode and control characters, lone surrogates, sizes up to past the
 * body limit, odd methods and content types; query strings with numbers in every spelling, repeated, empty and
 * oversized parameters; cookies (session, device, unknown) and headers with garbage, oversized and odd values. None may answer 5xx, and every 4xx from the API carries a JSON
 * error code. The seed is printed, so a failure can be replayed with -Dtwofa.fuzz.seed=N.
 */
class FuzzTest {
  private static final int REQUESTS = 10_000;
  private static final String[] FIELDS = {"email", "password", "code", "currentPassword", "newPassword", "id", "reason",
    "verification", "token", "limit", "before", "__proto__", "", "emaiL", "contact", "message", "override", "requestId",
    "status", "recoveryCode", "language"};
  private static final String[] ENDPOINTS = {
    "GET /api/session", "POST /api/signup", "POST /api/login", "POST /api/login/totp", "POST /api/login/recovery",
    "POST /api/logout", "GET /api/account", "POST /api/account/password", "GET /api/account/activity",
    "GET /api/account/sessions", "POST /api/account/sessions/revoke", "POST /api/account/sessions/revoke-others",
    "POST /api/2fa/setup", "POST /api/2fa/enable", "POST /api/2fa/recovery-codes", "GET /api/support/users",
    "POST /api/support/users/disable-2fa", "GET /", "GET /login", "GET /account", "GET /js/app.js", "GET /nope",
    "GET /health/live", "GET /metrics", "POST /api/password-reset", "POST /api/password-reset/complete",
    "POST /api/secure-account", "GET /reset-password", "GET /secure-account", "POST /api/support/requests",
    "GET /api/support/requests", "POST /api/support/requests/cancel", "POST /api/support/requests/decline",
    "GET /api/config", "POST /api/step-up", "POST /api/2fa/change/start", "POST /api/2fa/change/confirm",
    "POST /api/email/verify", "POST /api/email/verification", "GET /health/ready", "GET /verify-email",
    "GET /2fa/change", "GET /.well-known/openid-configuration", "GET /.well-known/jwks.json", "GET /authorize",
    "GET /authorize?client_id=fuzz&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&response_type=code&scope=openid",
    "GET /authorize/resume", "POST /token", "POST /revoke", "POST /introspect", "GET /userinfo", "POST /userinfo",
    "GET /api/authorizations/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
  private static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"};

  @RegisterExtension
  static TestServer server = new TestServer();

  @Test
  void noGeneratedRequestGetsA5xx() throws Exception {
    long seed = Long.getLong("twofa.fuzz.seed", System.nanoTime());
    System.out.println("[fuzz] seed " + seed);
    Random random = new Random(seed);
    TestAccounts accounts = new TestAccounts(server);
    OidcClients.add(server.databaseUrl(), new OidcClients.Registration("fuzz", List.of("http://127.0.0.1/cb"), false, true, "fuzz"));
    String email = TestAccounts.uniqueEmail();
    ApiClient signedIn = accounts.signedUp(email);
    TestAccounts.Enrolled enrolled = accounts.enrolled();
    // A session trusted with sensitive actions, so step-up-only operations are fuzzed past their guard too.
    String steppedUpEmail = TestAccounts.uniqueEmail();
    ApiClient steppedUp = accounts.signedUp(steppedUpEmail);
    accounts.stepUp(steppedUp, accounts.enrolled(steppedUp, steppedUpEmail));
    List<ApiClient> browsers = List.of(server.newClient(), signedIn, accounts.pendingLogin(enrolled.email()), steppedUp);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    Map<String, Integer> statuses = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    int skipped = 0;
    for (int i = 0; i < REQUESTS; i++) {
      ApiClient browser = browsers.get(random.nextInt(browsers.size()));
      String[] endpoint = ENDPOINTS[random.nextInt(ENDPOINTS.length)].split(" ");
      String method = random.nextInt(10) == 0 ? METHODS[random.nextInt(METHODS.length)] : endpoint[0];
      String path = endpoint[1] + (random.nextInt(3) == 0 ? "?" + query(random) : "");
      String body = random.nextInt(8) == 0 ? randomText(random, random.nextInt(3) == 0 ? 20_000 : 200)
        : String.valueOf(io.vertx.core.json.Json.encode(randomJson(random, 0)));
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
          : HttpRequest.BodyPublishers.ofString(body));
      try {
        headers(random, browser, request);
      } catch (IllegalArgumentException e) {
        skipped++;   // a header value java.net.http refuses to send at all
        continue;
      }
      HttpRequest built = request.build();
      HttpResponse<String> response;
      try {
        response = sendOnce(http, built);
      } catch (java.io.IOException closed) {
        failures.add(method + " " + abbreviate(path) + " (URI " + built.uri().toString().length() + " chars, headers "
          + built.headers().map().entrySet().stream().mapToInt(h -> h.getKey().length() + String.join(",", h.getValue()).length()).sum()
          + " chars) closed without an answer: " + closed.getMessage());
        continue;
      }
      statuses.merge(response.statusCode() / 100 + "xx", 1, Integer::sum);
      if (response.statusCode() >= 500) {
        failures.add(method + " " + path + " " + response.statusCode() + " " + response.body() + " body=" + abbreviate(body));
      } else if (response.statusCode() >= 400 && path.startsWith("/api") && !method.equals("HEAD")
        && !hasErrorCode(response.body())) {
        failures.add(method + " " + abbreviate(path) + " " + response.statusCode() + " without an error code: "
          + abbreviate(response.body()));
      }
    }
    System.out.println("[fuzz] " + (REQUESTS - skipped) + " requests sent (" + skipped + " unsendable): " + statuses);
    failures.stream().limit(20).forEach(f -> System.out.println("[fuzz] 5xx: " + f));
    assertTrue(skipped < REQUESTS / 10, "most generated requests are sent");
    // What java.net.URI will not send: malformed escapes, raw bytes and odd request lines, over a plain socket.
    for (String line : List.of("GET /api/account/activity?before=%zz HTTP/1.1", "GET /api/support/users?email=%E0%A4 HTTP/1.1",
        "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1", "GET /api/session?\u0000=1 HTTP/1.1", "POST /api/login HTTP/1.1",
        "GET /api/account/activity?limit=2p%25%21O HTTP/1.1")) {
      int status = rawStatus(line);
      if (status >= 500 || status == 0) {
        failures.add(line + " -> " + status);
      }
    }
    assertEquals(List.of(), failures, "seed " + seed);
    // The fuzzer may have logged its own browsers out; a new user is served as usual.
    assertEquals(200, accounts.signedUp(TestAccounts.uniqueEmail()).get("/api/account").status(), "the server still serves");
  }

  private static void headers(Random random, ApiClient browser, HttpRequest.Builder request) {
    switch (random.nextInt(6)) {
      case 0 -> request.header("Content-Type", "application/json");
      case 1 -> request.header("Content-Type", "text/plain");
      case 2 -> request.header("Content-Type", "application/json; charset=" + asciiText(random, 8));
      case 3 -> request.header("Content-Type", "multipart/form-data; boundary=x");
      default -> request.header("Content-Type", "application/json; charset=utf-8");
    }
    String token = browser.xsrfToken();
    switch (random.nextInt(4)) {
      case 0 -> { }
      case 1 -> request.header("X-XSRF-TOKEN", asciiText(random, 40));
      default -> request.header("X-XSRF-TOKEN", token);
    }
    String session = browser.cookie("twofa.session");
    String device = browser.cookie("twofa.device");
    String cookies = "XSRF-TOKEN=" + token + (session == null ? "" : "; twofa.session=" + session)
      + (device == null ? "" : "; twofa.device=" + device);
    switch (random.nextInt(12)) {
      case 0 -> cookies = "twofa.session=" + asciiText(random, 60) + "; XSRF-TOKEN=" + token;
      case 1 -> cookies += "; twofa.device=" + asciiText(random, random.nextInt(2) == 0 ? 43 : 2000);
      case 2 -> cookies = "twofa.device=; twofa.device=" + asciiText(random, 43) + "; XSRF-TOKEN=" + token;
      case 3 -> cookies += "; " + asciiText(random, 20) + "=" + asciiText(random, 200);
      default -> { }
    }
    request.header("Cookie", cookies);
    if (random.nextInt(4) == 0) {
      request.header("X-Forwarded-For", random.nextBoolean() ? "1.2.3.4, " + asciiText(random, 20) : asciiText(random, 40));
    }
    if (random.nextInt(4) == 0) {
      request.header("User-Agent", asciiText(random, random.nextInt(2000)));
    }
    if (random.nextInt(6) == 0) {
      request.header("Accept-Language", asciiText(random, 30));
    }
    if (random.nextInt(3) == 0) {
      hostileHeaders(random, request);
    }
  }

  private static Object randomJson(Random random, int depth) {
    int kind = random.nextInt(depth > 2 ? 6 : 9);
    return switch (kind) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextInt(3) == 0 ? random.nextDouble() * 1e300 : (Object) (long) random.nextInt();
      case 3, 4, 5 -> randomText(random, random.nextInt(4) == 0 ? 5000 : 40);
      case 6 -> {
        JsonArray array = new JsonArray();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(randomJson(random, depth + 1));
        }
        yield array;
      }
      default -> {
        JsonObject object = new JsonObject();
        for (int i = random.nextInt(5); i > 0; i--) {
          String key = random.nextInt(4) == 0 ? randomText(random, 8) : FIELDS[random.nextInt(FIELDS.length)];
          object.put(key, randomJson(random, depth + 1));
        }
        yield object;
      }
    };
  }

  /** Text mixing ASCII, Japanese, emoji, combining marks, control characters and lone surrogates. */
  private static String randomText(Random random, int maxLength) {
    StringBuilder text = new StringBuilder();
    int length = random.nextInt(maxLength + 1);
    while (text.length() < length) {
      switch (random.nextInt(10)) {
        case 0 -> text.append((char) random.nextInt(0x20));
        case 1 -> text.append((char) (0xd800 + random.nextInt(0x800)));
        case 2 -> text.append("日本語のテキスト");
        case 3 -> text.appendCodePoint(0x1f600 + random.nextInt(64));
        case 4 -> text.append("e\u0301");
        case 5 -> text.append((char) (0x7f + random.nextInt(0x21)));
        default -> text.append((char) (0x20 + random.nextInt(0x5f)));
      }
    }
    return text.toString();
  }

  private static String asciiText(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      text.append((char) (0x21 + random.nextInt(0x5d)));
    }
    return text.toString().replace(";", "").replace(",", ".");
  }

  /** Values no form sends but a script may: numbers in every spelling, empties, repeats, huge and odd text. */
  private static final String[] HOSTILE_VALUES = {"1e1", "5.0", "-0", "+5", "0x10", "1e999", "NaN", "Infinity", "-1",
    "99999999999999999999999999", "00000005", "", " ", "true", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "\"5\"",
    "open", "OPEN", "a@b.co", "c>,<evil@evil.example", "i@[127.0.0.1]", "%", "%%", "\u200b5", "５", "١٠"};

  private static String query(Random random) {
    String[] names = {"limit", "before", "email", "status", "token", "x", "limit[]", "__proto__", ""};
    StringBuilder query = new StringBuilder();
    for (int i = random.nextInt(4) + 1; i > 0; i--) {
      String value = switch (random.nextInt(5)) {
        case 0 -> String.valueOf(random.nextLong());
        case 1 -> HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)];
        case 2 -> randomText(random, random.nextInt(10) == 0 ? 3000 : 30);
        default -> String.valueOf(random.nextInt(300) - 50);
      };
      query.append(names[random.nextInt(names.length)]).append('=')
        .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8)).append('&');
    }
    if (random.nextInt(5) == 0) {
      query.append("limit=%00&email=%C0%AF");
    }
    return query.toString();
  }

  /** A header a client may send with any value: garbage, oversized (within the server's header limit), or odd. */
  private static void hostileHeaders(Random random, HttpRequest.Builder request) {
    String[] names = {"Accept-Language", "Origin", "Referer", "Forwarded", "X-Forwarded-Proto", "X-Forwarded-Host",
      "X-Real-IP", "Authorization", "If-None-Match", "Accept", "Accept-Encoding", "X-Requested-With", "Range"};
    for (int i = random.nextInt(3); i > 0; i--) {
      String value = switch (random.nextInt(4)) {
        case 0 -> asciiText(random, random.nextInt(3000));
        case 1 -> HOSTILE_VALUES[random.nextInt(HOSTILE_VALUES.length)].replaceAll("[^\\x21-\\x7e]", "x") + "x";
        default -> asciiText(random, 1 + random.nextInt(40));
      };
      request.header(names[random.nextInt(names.length)], value);
    }
  }

  /** The status code a raw HTTP/1.1 request line gets (0 when the connection closes without an answer). */
  private static int rawStatus(String requestLine) throws Exception {
    URI base = URI.create(server.baseUrl());
    try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write((requestLine + "\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      String answer = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.ISO_8859_1);
      return answer.startsWith("HTTP/1.1 ") ? Integer.parseInt(answer.substring(9, 12)) : 0;
    }
  }

  /**
   * Sends {@code request}; a pooled connection the server closed after its last answer (as it does after a 414)
   * may fail before this request reaches it, so that one failure is retried on a new connection.
   */
  private static HttpResponse<String> sendOnce(HttpClient http, HttpRequest request) throws Exception {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (java.io.IOException staleConnection) {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  private static boolean hasErrorCode(String body) {
    try {
      String error = new JsonObject(body).getString("error");
      return error != null && !error.isEmpty();
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static String abbreviate(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }
}
