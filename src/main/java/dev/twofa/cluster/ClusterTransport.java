package dev.twofa.cluster;

import dev.twofa.config.ClusterPolicy;
import dev.twofa.config.TwofaConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.spi.cluster.ClusterManager;
import org.jgroups.JChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything between this node and the others, closed by default: the Infinispan cluster manager over a JGroups
 * TCP stack and the Vert.x event bus, both mutual TLS 1.3 with credentials derived from the shared cluster key
 * (the current secret key's cluster purpose key),
 * both listening on the cluster host only.
 */
public final class ClusterTransport {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTransport.class);
  private static final String TLS_VERSION = "TLSv1.3";

  private ClusterTransport() {
  }

  /** Sets up {@code eventBus} for TLS and returns the cluster manager to build Vert.x with. */
  public static ClusterManager configure(ClusterPolicy cluster, Optional<byte[]> clusterKey, EventBusOptions eventBus) {
    byte[] key = clusterKey.orElseThrow(() -> new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEYS (or, on an "
      + "HTTP-only node, " + TwofaConfig.PREFIX + "CLUSTER_KEY) is required with " + TwofaConfig.PREFIX
      + "CLUSTER=true: the cluster's TLS credentials are derived from it, so only nodes that share it can join"));
    ClusterCredentials credentials = ClusterCredentials.derive(key, Instant.now());

    eventBus.setHost(cluster.host()).setPort(cluster.eventBusPort())
      .setSsl(true)
      .setKeyCertOptions(credentials.keyCertOptions())
      .setTrustOptions(credentials.trustOptions())
      .setClientAuth(ClientAuth.REQUIRED)
      .setEnabledSecureTransportProtocols(Set.of(TLS_VERSION));
    // Vert.x 5's event-bus client checks no hostname (it sets the algorithm to ""); that is what we want here too:
    // a peer's identity is its certificate from the cluster CA, which only a holder of the secret key can issue.

    JChannel channel;
    try {
      channel = JGroupsStack.channel(cluster, credentials.sslContext());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_HOST " + cluster.host() + " does not resolve");
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the JGroups stack: " + e.getMessage(), e);
    }
    LOG.info("event=cluster.transport manager=infinispan tls=mutual protocol={} bind={}:{} eventbus={}:{} discovery=static"
        + " members={} name={} ca={}", TLS_VERSION, cluster.host(), cluster.port(), cluster.host(),
      cluster.eventBusPort() == 0 ? "any" : cluster.eventBusPort(),
      cluster.memberList().stream().map(ClusterPolicy.Member::toString).collect(Collectors.joining(",")),
      cluster.name(), credentials.caFingerprint());
    SuspectingTcp transport = (SuspectingTcp) channel.getProtocolStack().getTransport();
    return new OwnedCacheManagerClusterManager(InfinispanCaches.cacheManager(cluster.name(), channel), transport::unreachable);
  }
}
