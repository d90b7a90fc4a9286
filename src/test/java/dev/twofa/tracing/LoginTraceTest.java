package dev.twofa.tracing;

import dev.twofa.support.ApiClient;
import dev.twofa.support.ApiClient.Response;
import dev.twofa.support.TestAccounts;
import dev.twofa.support.TestServer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static dev.twofa.support.Eventually.eventually;
import static dev.twofa.support.TestAccounts.PASSWORD;
import static dev.twofa.support.TestAccounts.code;
import static dev.twofa.support.TestAccounts.credentials;
import static dev.twofa.tracing.MemorySpanExporterProvider.SPANS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * With tracing on (OTEL_SDK_DISABLED=false), each request of a login is one trace from the HTTP server through
 * the event bus to auth and its PostgreSQL queries, and no span holds the password, email, code, secret or token.
 */
class LoginTraceTest {
  @RegisterExtension
  static final TestServer server = new TestServer()
    .with("OTEL_SDK_DISABLED", "false")
    .with("OTEL_TRACES_EXPORTER", "memory")
    .with("OTEL_BSP_SCHEDULE_DELAY", "20");
  private final TestAccounts accounts = new TestAccounts(server);

  @Test
  void eachLoginStepIsOneTraceFromHttpThroughTheBusToPostgres() throws Exception {
    String email = TestAccounts.uniqueEmail();
    ApiClient owner = accounts.signedUp(email);
    TestAccounts.Enrolled account = accounts.enrolled(owner, email);
    List<String> secrets = new ArrayList<>(List.of(PASSWORD, email, account.secret()));
    secrets.addAll(account.recoveryCodes());
    secrets.add(owner.cookie("twofa.session"));
    SPANS.reset();

    ApiClient browser = server.newClient();
    Response first = browser.post("/api/login", credentials(email, PASSWORD));
    assertEquals(200, first.status(), first.toString());
    String code = accounts.currentCode(account);
    Response second = browser.post("/api/login/totp", code(code));
    assertEquals(200, second.status(), second.toString());
    secrets.addAll(List.of(code, browser.cookie("twofa.session"), browser.cookie("XSRF-TOKEN")));
    // A mailed link's token and a support lookup's email travel in query strings.
    String linkToken = "Zq8" + "x".repeat(40);
    assertEquals(200, browser.get("/reset-password?token=" + linkToken).status());
    secrets.add(linkToken);

    for (String path : List.of("/api/login", "/api/login/totp")) {
      List<SpanData> trace = eventually(() -> traceOf(path), spans -> spans.stream().anyMatch(isDatabase())
        && spans.stream().anyMatch(s -> s.getKind() == SpanKind.SERVER && !isHttp(s)),
        "the spans of POST " + path + " from HTTP to PostgreSQL");
      SpanData http = trace.stream().filter(LoginTraceTest::isHttp).findFirst().orElseThrow();
      assertFalse(http.getParentSpanContext().isValid(), "the HTTP span starts the trace");
      // HTTP server span -> the bus request (client) -> auth's consumer (server) -> its queries (clients).
      SpanData busRequest = trace.stream().filter(s -> s.getKind() == SpanKind.CLIENT && !isDatabase().test(s))
        .filter(s -> s.getParentSpanId().equals(http.getSpanId())).findFirst().orElseThrow(() -> new AssertionError(describe(trace)));
      SpanData auth = trace.stream().filter(s -> s.getKind() == SpanKind.SERVER && s.getParentSpanId().equals(busRequest.getSpanId()))
        .findFirst().orElseThrow(() -> new AssertionError(describe(trace)));
      assertTrue(String.valueOf(attribute(auth, "messaging.destination.name")).startsWith("twofa.auth."), describe(trace));
      assertTrue(trace.stream().filter(isDatabase()).anyMatch(s -> s.getParentSpanId().equals(auth.getSpanId())),
        "auth's queries belong to its span: " + describe(trace));
      assertTrue(trace.stream().filter(isDatabase()).allMatch(s -> String.valueOf(attribute(s, "db.query.text")).contains("$1")
        || !String.valueOf(attribute(s, "db.query.text")).contains("'")), "SQL with placeholders: " + describe(trace));
    }
    assertEquals(2, SPANS.getFinishedSpanItems().stream().filter(LoginTraceTest::isHttp)
      .filter(s -> String.valueOf(attribute(s, "url.path")).startsWith("/api/login")).map(SpanData::getTraceId)
      .distinct().count(), "one trace per request");

    eventually(() -> SPANS.getFinishedSpanItems().stream().anyMatch(s -> "/reset-password".equals(attribute(s, "url.path"))),
      "the link's span");
    List<SpanData> all = SPANS.getFinishedSpanItems();
    for (SpanData span : all) {
      String text = span.getName() + " " + everything(span.getAttributes())
        + span.getEvents().stream().map(e -> e.getName() + " " + everything(e.getAttributes())).collect(Collectors.joining(" "))
        + " " + span.getStatus().getDescription();
      for (String secret : secrets) {
        assertFalse(text.toLowerCase().contains(secret.toLowerCase()), "a span holds a secret (" + secret + "): " + text);
      }
    }
  }

  @Test
  void tracingIsOffUnlessAskedFor() {
    assertFalse(Tracing.from(Map.of()).enabled());
    assertFalse(Tracing.from(Map.of("OTEL_SDK_DISABLED", "true", "OTEL_TRACES_EXPORTER", "memory")).enabled());
    assertTrue(Tracing.off().vertxTracer().isEmpty(), "off, Vert.x gets no tracer at all");
  }

  /** Every finished span of the trace whose HTTP span served POST {@code path} (the latest such request). */
  private static List<SpanData> traceOf(String path) {
    List<SpanData> spans = SPANS.getFinishedSpanItems();
    Set<String> traces = spans.stream().filter(LoginTraceTest::isHttp).filter(s -> path.equals(attribute(s, "url.path")))
      .map(SpanData::getTraceId).collect(Collectors.toSet());
    return spans.stream().filter(s -> traces.contains(s.getTraceId())).toList();
  }

  private static boolean isHttp(SpanData span) {
    return span.getKind() == SpanKind.SERVER && attribute(span, "url.path") != null;
  }

  private static Predicate<SpanData> isDatabase() {
    return span -> "postgresql".equals(attribute(span, "db.system"));
  }

  private static Object attribute(SpanData span, String name) {
    return span.getAttributes().asMap().entrySet().stream().filter(e -> e.getKey().getKey().equals(name))
      .map(Map.Entry::getValue).findFirst().orElse(null);
  }

  private static String everything(Attributes attributes) {
    return attributes.asMap().entrySet().stream().map(e -> e.getKey().getKey() + "=" + e.getValue())
      .collect(Collectors.joining(" "));
  }

  private static String describe(List<SpanData> spans) {
    return spans.stream().map(s -> s.getKind() + " " + s.getName() + " " + everything(s.getAttributes()))
      .collect(Collectors.joining("\n"));
  }
}
