package dev.twofa.tracing;

import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.vertx.core.spi.VertxTracerFactory;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * OpenTelemetry traces, configured by the standard OTEL_* variables (the SDK's autoconfigure) and off unless
 * {@code OTEL_SDK_DISABLED=false}: off, Vert.x gets no tracer at all, so a request costs nothing more. On, every
 * span passes {@link RedactingSpanExporter} before any exporter sees it.
 */
public final class Tracing implements AutoCloseable {
  private static final Tracing OFF = new Tracing(null);
  /** Held: java.util.logging keeps its loggers weakly, and a collected one would forget the handler. */
  private static final java.util.logging.Logger SDK_LOG = java.util.logging.Logger.getLogger("io.opentelemetry");
  private final OpenTelemetrySdk sdk;

  private Tracing(OpenTelemetrySdk sdk) {
    this.sdk = sdk;
  }

  public static Tracing off() {
    return OFF;
  }

  /** Reads the OTEL_* entries of {@code env} (the process environment, or a test's). */
  public static Tracing from(Map<String, String> env) {
    if (!"false".equalsIgnoreCase(env.getOrDefault("OTEL_SDK_DISABLED", "true").trim())) {
      return OFF;
    }
    routeSdkLogs();
    Map<String, String> properties = new HashMap<>();
    // Our defaults where the variables say nothing: a service name, and traces only (metrics are Prometheus's).
    properties.put("otel.service.name", "twofa");
    properties.put("otel.metrics.exporter", "none");
    properties.put("otel.logs.exporter", "none");
    // OTLP over HTTP (the specification's default, port 4318): the JDK's client sends it; gRPC would need OkHttp.
    properties.put("otel.exporter.otlp.protocol", "http/protobuf");
    env.forEach((name, value) -> {
      if (name.startsWith("OTEL_")) {
        properties.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
      }
    });
    OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
      .addPropertiesSupplier(() -> properties)
      .addSpanExporterCustomizer((exporter, config) -> new RedactingSpanExporter(exporter))
      .disableShutdownHook()
      .build()
      .getOpenTelemetrySdk();
    return new Tracing(sdk);
  }

  /** The SDK's own reports become log lines in TWOFA_LOG_FORMAT, not java.util.logging's two-line stderr format. */
  private static synchronized void routeSdkLogs() {
    if (SDK_LOG.getUseParentHandlers()) {
      SDK_LOG.setUseParentHandlers(false);
      SDK_LOG.addHandler(new SLF4JBridgeHandler());
    }
  }

  public boolean enabled() {
    return sdk != null;
  }

  /** The tracer for {@code Vertx.builder().withTracer(...)}, when tracing is on. */
  public Optional<VertxTracerFactory> vertxTracer() {
    return Optional.ofNullable(sdk).map(OpenTelemetryTracingFactory::new);
  }

  /** Exports what is still buffered and stops, once Vert.x has closed; at most 2 s, so a lost collector cannot hold a stop. */
  @Override
  public void close() {
    if (sdk != null) {
      sdk.shutdown().join(2, TimeUnit.SECONDS);
    }
  }
}
