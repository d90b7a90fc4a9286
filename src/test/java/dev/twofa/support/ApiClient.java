package dev.twofa.support;

import io.vertx.core.json.JsonObject;

import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Talks to the server as a browser would: it keeps cookies, reads XSRF-TOKEN and echoes it as X-XSRF-TOKEN.
 * Each client is one browser session.
 */
public final class ApiClient {
  public static final String USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) twofa-tests/1.0";
  private final String baseUrl;
  private final HttpClient http;

  private final CookieManager cookies;
  private List<String> extraHeaders = List.of();

  public ApiClient(String baseUrl) {
    this(baseUrl, new CookieManager());
  }

  private ApiClient(String baseUrl, CookieManager cookies) {
    this.baseUrl = baseUrl;
    this.cookies = cookies;
    this.http = HttpClient.newBuilder().cookieHandler(cookies).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** The same browser (same cookies) talking to another server, e.g. another node of a cluster. */
  public ApiClient sameBrowserAt(String otherBaseUrl) {
    return new ApiClient(otherBaseUrl, cookies);
  }

  public record Response(int status, java.net.http.HttpHeaders headers, String text) {
    public JsonObject json() {
      return text.isEmpty() ? null : new JsonObject(text);
    }

    public String error() {
      return json().getString("error");
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    @Override
    public String toString() {
      return status + " " + text;
    }
  }

  /**
   * Headers (name, value, name, value, ...) sent with every later request, as a proxy in front might add them;
   * a name may repeat. Replaces earlier extra headers.
   */
  public ApiClient extraHeaders(String... namesAndValues) {
    extraHeaders = List.of(namesAndValues);
    return this;
  }

  public Response get(String path) {
    return send(request(path).GET().build());
  }

  public Response post(String path, JsonObject body) {
    return send(jsonPost(path, body == null ? "" : body.encode(), xsrfToken()));
  }

  /** A POST of an HTML form ({@code application/x-www-form-urlencoded} {@code body}), as a page's form sends it. */
  public Response postForm(String path, String body) {
    return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
      .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** A POST whose body and CSRF header the test chooses exactly. */
  public Response postRaw(String path, String body, String xsrfHeader) {
    return send(jsonPost(path, body, xsrfHeader));
  }

  public CompletableFuture<Response> postAsync(String path, JsonObject body) {
    return http.sendAsync(jsonPost(path, body.encode(), xsrfToken()), HttpResponse.BodyHandlers.ofString())
      .thenApply(r -> new Response(r.statusCode(), r.headers(), r.body()));
  }

  /** The CSRF token from the cookie, fetching one with a GET first if the client has none. */
  public String xsrfToken() {
    String token = cookie("XSRF-TOKEN");
    if (token == null) {
      get("/api/session");
      token = cookie("XSRF-TOKEN");
    }
    return token;
  }

  public String cookie(String name) {
    return cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name))
      .map(HttpCookie::getValue).findFirst().orElse(null);
  }

  /** Drops the cookie {@code name}, as a browser that keeps no such cookie would. */
  public void forgetCookie(String name) {
    cookies.getCookieStore().getCookies().stream().filter(c -> c.getName().equals(name)).toList()
      .forEach(c -> cookies.getCookieStore().remove(null, c));
  }

  /** Puts a cookie as if another browser had it (to replay a stolen session id). */
  public void setCookie(String name, String value) {
    HttpCookie cookie = new HttpCookie(name, value);
    cookie.setPath("/");
    cookie.setVersion(0);
    cookies.getCookieStore().add(URI.create(baseUrl), cookie);
  }

  private HttpRequest jsonPost(String path, String body, String xsrfHeader) {
    HttpRequest.Builder builder = request(path).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body));
    if (xsrfHeader != null) {
      builder.header("X-XSRF-TOKEN", xsrfHeader);
    }
    return builder.build();
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30));
    if (!extraHeaders.contains("User-Agent")) {
      builder.header("User-Agent", USER_AGENT);
    }
    for (int i = 0; i + 1 < extraHeaders.size(); i += 2) {
      builder.header(extraHeaders.get(i), extraHeaders.get(i + 1));
    }
    return builder;
  }

  private Response send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.headers(), response.body());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
