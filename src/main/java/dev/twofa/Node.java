package dev.twofa;

import dev.twofa.cluster.ClusterTransport;
import dev.twofa.config.TwofaConfig;
import dev.twofa.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** One Vert.x instance with its own metrics registry: standalone, or a member of the mutual-TLS cluster. */
public record Node(Vertx vertx, PrometheusMeterRegistry metrics) {

  public static Future<Node> start(TwofaConfig config) {
    return start(config, Tracing.off());
  }

  /** With {@code tracing} on, Vert.x traces HTTP requests, event-bus messages and PostgreSQL queries. */
  public static Future<Node> start(TwofaConfig config, Tracing tracing) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // HTTP server, pools, verticles and the JVM are measured; per-connection TCP byte counters and the event bus's
    // per-message meters are not (Micrometer was 5 % of the event loops' self time in a login's profile, and twofa
    // times its own bus requests in twofa_eventbus_request_seconds).
    VertxOptions options = new VertxOptions()
      .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .addDisabledMetricsCategory(MetricsDomain.NET_SERVER).addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS).addDisabledMetricsCategory(MetricsDomain.DATAGRAM_SOCKET)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics));
    tracing.vertxTracer().ifPresent(builder::withTracer);
    if (!config.cluster().enabled()) {
      return Future.succeededFuture(new Node(builder.with(options).build(), metrics));
    }
    ClusterManager cluster = ClusterTransport.configure(config.cluster(), config.keys(), config.deployment(),
      options.getEventBusOptions());
    return builder.with(options).withClusterManager(cluster).buildClustered()
      .map(vertx -> new Node(vertx, metrics));
  }
}
