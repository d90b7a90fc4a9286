package dev.twofa.tracing;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.DelegatingSpanData;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The last gate before any exporter: a span keeps no query string (reset and verification links carry their
 * token there, the support lookup an email address) and an error only its type (a database's message can quote
 * the value it refused). Vert.x's spans hold no request or message bodies and the database spans hold the SQL
 * text with $n placeholders, never the parameters.
 */
final class RedactingSpanExporter implements SpanExporter {
  private static final Set<String> URLS = Set.of("http.url", "url.full", "http.target");
  private static final Set<String> DROPPED = Set.of("url.query", "exception.message", "exception.stacktrace");
  private final SpanExporter exporter;

  RedactingSpanExporter(SpanExporter exporter) {
    this.exporter = exporter;
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    return exporter.export(spans.stream().map(Redacted::new).map(SpanData.class::cast).toList());
  }

  @Override
  public CompletableResultCode flush() {
    return exporter.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return exporter.shutdown();
  }

  static Attributes redact(Attributes attributes) {
    AttributesBuilder kept = Attributes.builder();
    attributes.forEach((key, value) -> {
      if (DROPPED.contains(key.getKey())) {
        return;
      }
      if (URLS.contains(key.getKey()) && value instanceof String url) {
        kept.put(AttributeKey.stringKey(key.getKey()), withoutQuery(url));
      } else {
        @SuppressWarnings("unchecked")
        AttributeKey<Object> same = (AttributeKey<Object>) key;
        kept.put(same, value);
      }
    });
    return kept.build();
  }

  private static String withoutQuery(String url) {
    int cut = url.length();
    for (char c : new char[] {'?', '#'}) {
      int at = url.indexOf(c);
      if (at >= 0 && at < cut) {
        cut = at;
      }
    }
    return url.substring(0, cut);
  }

  private static final class Redacted extends DelegatingSpanData {
    private final Attributes attributes;
    private final List<EventData> events;

    Redacted(SpanData span) {
      super(span);
      this.attributes = redact(span.getAttributes());
      this.events = span.getEvents().stream()
        .map(e -> EventData.create(e.getEpochNanos(), e.getName(), redact(e.getAttributes()), e.getTotalAttributeCount()))
        .toList();
    }

    @Override
    public Attributes getAttributes() {
      return attributes;
    }

    @Override
    public List<EventData> getEvents() {
      return events;
    }
  }
}
