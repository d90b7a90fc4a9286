package dev.twofa.cluster;

import dev.twofa.config.ClusterPolicy;
import org.jgroups.JChannel;
import org.jgroups.protocols.Discovery;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.MFC;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.util.DefaultSocketFactory;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.stream.Collectors;

/**
 * The JGroups channel under Infinispan, built in code so nothing is left to a default XML file: TCP over mutual
 * TLS bound to the cluster host only, discovery by the static member list or a DNS name, never multicast. It follows Infinispan 14's
 * default TCP stack, minus MPING (multicast) and FD_SOCK2 (a second, plaintext listener); failure detection is
 * the transport itself (a member whose connection drops is suspected at once, see {@link SuspectingTcp}) and
 * FD_ALL3 heartbeats over the TLS transport for a member that goes silent.
 */
public final class JGroupsStack {
  private static final String TLS_VERSION = "TLSv1.3";

  private JGroupsStack() {
  }

  public static JChannel channel(ClusterPolicy cluster, SSLContext tls) throws Exception {
    TCP tcp = new SuspectingTcp();
    tcp.setBindAddress(bindAddress(cluster.host()));
    tcp.setBindPort(cluster.port());
    // Exactly the configured port: with a range JGroups would quietly take the next free one.
    tcp.setPortRange(0);
    tcp.setSocketFactory(socketFactory(tls));
    tcp.setSockConnTimeout(1000);
    // Bounds how long one connection that never completes its handshake holds the accept loop.
    tcp.setPeerAddrReadTimeout(1000);

    Discovery discovery = cluster.discoversByDns() ? dnsDiscovery(cluster) : staticDiscovery(cluster);

    NAKACK2 nakack = new NAKACK2().setXmitInterval(200).setXmitTableNumRows(50).setXmitTableMsgsPerRow(1024)
      .setXmitTableMaxCompactionTime(30_000);
    nakack.setResendLastSeqno(true);
    nakack.setValue("use_mcast_xmit", false);

    JChannel channel = new JChannel(
      tcp,
      discovery,
      new MERGE3().setMinInterval(10_000).setMaxInterval(30_000),
      // A silent member is suspected after 4 s and, once VERIFY_SUSPECT2 confirms it, dropped by about 5-6 s; a
      // killed one resets its connections, is suspected at once by SuspectingTcp and dropped after the 1 s check.
      new FD_ALL3().setInterval(1000).setTimeout(4000),
      new VERIFY_SUSPECT2().setTimeout(1000),
      nakack,
      new UNICAST3().setXmitInterval(200).setConnCloseTimeout(5000),
      new STABLE().setDesiredAverageGossip(5000).setMaxBytes(1_000_000),
      new GMS().setJoinTimeout(2000),
      new UFC().setMaxCredits(4_000_000).setMinThreshold(0.4),
      new MFC().setMaxCredits(4_000_000).setMinThreshold(0.4),
      new FRAG4());
    // JChannel's constructor turns the probe handler off already; it would listen for multicast on all interfaces.
    tcp.getDiagnosticsHandler().setEnabled(false);
    return channel;
  }

  private static Discovery staticDiscovery(ClusterPolicy cluster) {
    TCPPING discovery = new TCPPING();
    discovery.setPortRange(0);
    // As text, so a member whose name does not resolve yet (a container still starting) is retried later.
    discovery.setValue("initial_hosts_str", cluster.memberList().stream()
      .map(member -> member.host() + "[" + member.port() + "]").collect(Collectors.joining(",")));
    return discovery;
  }

  /**
   * The addresses a DNS name answers at each discovery round (a Kubernetes headless Service lists its pods), on
   * this node's cluster port for A records. Whoever answers still has to pass the TLS handshake: DNS says where
   * to knock, never who may come in.
   */
  private static Discovery dnsDiscovery(ClusterPolicy cluster) {
    DNS_PING discovery = new DNS_PING();
    discovery.setDNSQuery(cluster.dns());
    discovery.setValue("dns_record_type", cluster.dnsRecordType());
    discovery.setValue("dns_address", cluster.dnsServer());
    return discovery;
  }

  /**
   * Every socket is TLS 1.3 with this node's certificate; a listening socket requires the peer's certificate too.
   * No hostname check: a peer's identity is "holds a certificate from the cluster's CA", which only a holder of
   * the secret key can issue, and members are often addressed by IP.
   */
  static DefaultSocketFactory socketFactory(SSLContext tls) {
    DefaultSocketFactory factory = new DefaultSocketFactory(tls);
    factory.setServerSocketConfigurator(socket -> {
      SSLParameters parameters = new SSLParameters();
      parameters.setProtocols(new String[] {TLS_VERSION});
      parameters.setNeedClientAuth(true);
      ((SSLServerSocket) socket).setSSLParameters(parameters);
    });
    factory.setSocketConfigurator(socket -> {
      SSLParameters parameters = new SSLParameters();
      parameters.setProtocols(new String[] {TLS_VERSION});
      ((SSLSocket) socket).setSSLParameters(parameters);
    });
    return factory;
  }

  static InetAddress bindAddress(String host) throws UnknownHostException {
    InetAddress address = InetAddress.getByName(host);
    if (address.isAnyLocalAddress()) {
      throw new IllegalArgumentException("TWOFA_CLUSTER_HOST must be one address of this node, not " + host
        + " (all interfaces)");
    }
    return address;
  }
}
