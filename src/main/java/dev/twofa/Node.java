package dev.twofa;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.twofa.config.ClusterPolicy;
import dev.twofa.config.TwofaConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/** One Vert.x instance with its own metrics registry: standalone, or a member of a Hazelcast cluster. */
public record Node(Vertx vertx, PrometheusMeterRegistry metrics) {

  public static Future<Node> start(TwofaConfig config) {
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions()
      .setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true));
    VertxBuilder builder = Vertx.builder().withMetrics(new MicrometerMetricsFactory(metrics));
    ClusterPolicy cluster = config.cluster();
    if (!cluster.enabled()) {
      return Future.succeededFuture(new Node(builder.with(options).build(), metrics));
    }
    if (!cluster.host().isEmpty()) {
      options.getEventBusOptions().setHost(cluster.host());
    }
    options.getEventBusOptions().setPort(cluster.eventBusPort());
    return builder.with(options).withClusterManager(new HazelcastClusterManager(hazelcast(cluster))).buildClustered()
      .map(vertx -> new Node(vertx, metrics));
  }

  /** Vert.x's default Hazelcast configuration with this node's name, address and way of finding members. */
  static Config hazelcast(ClusterPolicy cluster) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // A lost member is noticed within seconds, so requests stop going to its consumers quickly.
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "6");
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(true);
    if (!cluster.host().isEmpty()) {
      network.setPublicAddress(cluster.host());
      if (cluster.host().matches("[0-9.]+")) {
        network.getInterfaces().setEnabled(true).addInterface(cluster.host());
      }
    }
    JoinConfig join = network.getJoin();
    boolean multicast = cluster.members().isEmpty();
    join.getMulticastConfig().setEnabled(multicast);
    join.getTcpIpConfig().setEnabled(!multicast).setMembers(cluster.members());
    return config;
  }
}
