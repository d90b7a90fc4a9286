package dev.twofa.cluster;

import dev.twofa.config.ClusterPolicy;
import dev.twofa.config.Deployment;
import dev.twofa.config.NodeKeys;
import dev.twofa.config.TwofaConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.spi.cluster.ClusterManager;
import org.jgroups.JChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything between this node and the others, closed by default: the Infinispan cluster manager over a JGroups
 * TCP stack and the Vert.x event bus, both mutual TLS 1.3 with certificates from the cluster CA (a member's issued
 * by itself, an edge's by derive-keys), both listening on the cluster host only.
 */
public final class ClusterTransport {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterTransport.class);
  private static final String TLS_VERSION = "TLSv1.3";

  private ClusterTransport() {
  }

  /**
   * Sets up {@code eventBus} for TLS and returns the cluster manager to build Vert.x with. A node with the secret key
   * ring is a member; one with only an edge's keys ({@code derive-keys}) is an edge, and may run HTTP only.
   */
  public static ClusterManager configure(ClusterPolicy cluster, NodeKeys keys, Deployment deployment, EventBusOptions eventBus) {
    ClusterCredentials credentials = credentials(keys, deployment);
    return configure(cluster, credentials, eventBus);
  }

  static ClusterCredentials credentials(NodeKeys keys, Deployment deployment) {
    if (keys.clusterKey().isPresent()) {
      return ClusterCredentials.member(keys.clusterKey().get(), Instant.now());
    }
    if (deployment.needsDatabase()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEYS is required with " + TwofaConfig.PREFIX
        + "CLUSTER=true on a node that runs auth or audit: only the key ring makes a node a member that may serve them (" + TwofaConfig.PREFIX
        + "CLUSTER_EDGE_KEY and " + TwofaConfig.PREFIX + "CLUSTER_EDGE_CERTS make an edge, which runs http only)");
    }
    if (keys.edgeKey().isEmpty() || keys.edgeCertificates().isEmpty()) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "SECRET_KEYS, or on an HTTP-only node "
        + TwofaConfig.PREFIX + "CLUSTER_EDGE_KEY and " + TwofaConfig.PREFIX + "CLUSTER_EDGE_CERTS (printed by derive-keys),"
        + " are required with " + TwofaConfig.PREFIX + "CLUSTER=true: the cluster's TLS credentials come from them");
    }
    return ClusterCredentials.edge(keys.edgeKey().get(), keys.edgeCertificates().get());
  }

  private static ClusterManager configure(ClusterPolicy cluster, ClusterCredentials credentials, EventBusOptions eventBus) {
    NodeIdentity identity = new NodeIdentity(credentials);
    eventBus.setHost(cluster.host()).setPort(cluster.eventBusPort())
      .setSsl(true)
      .setKeyCertOptions(credentials.keyCertOptions())
      .setTrustOptions(credentials.trustOptions())
      .setClientAuth(ClientAuth.REQUIRED)
      .setEnabledSecureTransportProtocols(Set.of(TLS_VERSION));
    // Vert.x 5's event-bus client checks no hostname (it sets the algorithm to ""); that is what we want here too:
    // TLS admits members and edges alike (a member sends replies to an edge); what each may serve is decided by
    // MemberRegistrations, on every node.

    JChannel channel;
    try {
      channel = JGroupsStack.channel(cluster, credentials.sslContext());
      // Vert.x's node id is the JGroups logical name: the digest of this process's identity key.
      channel.name(identity.nodeId());
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(TwofaConfig.PREFIX + "CLUSTER_HOST " + cluster.host() + " does not resolve");
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the JGroups stack: " + e.getMessage(), e);
    }
    LOG.info("event=cluster.transport manager=infinispan tls=mutual protocol={} bind={}:{} eventbus={}:{} discovery={}"
        + " members={} name={} ca={} role={} node={}", TLS_VERSION, cluster.host(), cluster.port(), cluster.host(),
      cluster.eventBusPort() == 0 ? "any" : cluster.eventBusPort(),
      cluster.discoversByDns() ? "dns" : "static",
      cluster.discoversByDns() ? cluster.dnsRecordType() + ":" + cluster.dns()
        : cluster.memberList().stream().map(ClusterPolicy.Member::toString).collect(Collectors.joining(",")),
      cluster.name(), credentials.caFingerprint(), credentials.role().label(), identity.nodeId());
    SuspectingTcp transport = (SuspectingTcp) channel.getProtocolStack().getTransport();
    return new OwnedCacheManagerClusterManager(InfinispanCaches.cacheManager(cluster.name(), identity.nodeId(), channel),
      transport::unreachable, identity, credentials.role());
  }
}
